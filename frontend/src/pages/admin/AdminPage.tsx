/** Administration: the directory and the rules, the routing simulator, subscriptions and deliveries,
 * targets, prices and the Open311 apps' keys. */
import { Link, useSearchParams } from "react-router";
import { PageHeading } from "../../components/bits";
import { usePageTitle } from "../../hooks";
import { useI18n, type MessageKey } from "../../i18n";
import { DeliveriesSection, SubscriptionsSection } from "./Notifications";
import { Open311KeysSection } from "./Open311Keys";
import { PricesSection } from "./Prices";
import { DirectorySection, RulesSection, SimulationSection } from "./Routing";
import { TargetsSection } from "./Targets";

const SECTIONS = ["directory", "rules", "simulate", "subscriptions", "deliveries", "targets", "prices", "open311"] as const;
type Section = (typeof SECTIONS)[number];

export function AdminPage() {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const section: Section = SECTIONS.includes(params.get("del") as Section) ? (params.get("del") as Section) : "directory";
  usePageTitle(`${t("admin.title")}: ${t(`admin.${section}` as MessageKey)}`);
  return (
    <>
      <PageHeading>{t("admin.title")}</PageHeading>
      <nav aria-label={t("admin.sections")} className="queue-nav">
        <ul>
          {SECTIONS.map((id) => (
            <li key={id}>
              <Link to={`/arbetsyta/admin?del=${id}`} aria-current={id === section ? "page" : undefined}>
                {t(`admin.${id}` as MessageKey)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {section === "directory" ? <DirectorySection /> : null}
      {section === "rules" ? <RulesSection /> : null}
      {section === "simulate" ? <SimulationSection /> : null}
      {section === "subscriptions" ? <SubscriptionsSection /> : null}
      {section === "deliveries" ? <DeliveriesSection /> : null}
      {section === "targets" ? <TargetsSection /> : null}
      {section === "prices" ? <PricesSection /> : null}
      {section === "open311" ? <Open311KeysSection /> : null}
    </>
  );
}
