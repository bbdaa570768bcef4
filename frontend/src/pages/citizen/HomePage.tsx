import { Link } from "react-router";
import { PageHeading } from "../../components/bits";
import { config } from "../../config";
import { usePageTitle } from "../../hooks";
import { useI18n } from "../../i18n";

export function HomePage() {
  const { t } = useI18n();
  usePageTitle(t("citizen.home.title"));
  const cards = [
    { to: "/kontakta-oss", title: t("citizen.contact.title"), text: t("citizen.home.contact") },
    { to: "/synpunkt", title: t("citizen.feedback.title"), text: t("citizen.home.feedback") },
    { to: "/felanmalan", title: t("citizen.report.title"), text: t("citizen.home.report") },
    { to: "/folj-arende", title: t("citizen.follow.title"), text: t("citizen.home.follow") },
  ];
  return (
    <>
      <PageHeading>{t("citizen.home.heading", { organization: config.organizationName })}</PageHeading>
      <p className="lead">{t("citizen.home.lead")}</p>
      <ul className="cards">
        {cards.map((card) => (
          <li key={card.to} className="card">
            <h2>
              <Link to={card.to}>{card.title}</Link>
            </h2>
            <p>{card.text}</p>
          </li>
        ))}
      </ul>
      <h2>{t("citizen.home.phoneHeading")}</h2>
      <p>{t("citizen.home.phone", { phone: config.phone })}</p>
    </>
  );
}
