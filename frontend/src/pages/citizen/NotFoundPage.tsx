import { Link } from "react-router";
import { PageHeading } from "../../components/bits";
import { usePageTitle } from "../../hooks";
import { useI18n } from "../../i18n";

export function NotFoundPage() {
  const { t } = useI18n();
  usePageTitle(t("notFound.title"));
  return (
    <>
      <PageHeading>{t("notFound.title")}</PageHeading>
      <p>{t("notFound.text")}</p>
      <p>
        <Link to="/">{t("notFound.home")}</Link>
      </p>
    </>
  );
}
