/** English: every Swedish key must be here too (each part's type says so). */
import { common } from "./en/common";
import { citizen } from "./en/citizen";
import { workspace } from "./en/workspace";
import { dashboard } from "./en/dashboard";
import { admin } from "./en/admin";
import { receipts } from "./en/receipts";
import { recategorise } from "./en/recategorise";
import { switchboard } from "./en/switchboard";
import { records } from "./en/records";
import { knowledge } from "./en/knowledge";
import { search } from "./en/search";
import { handling } from "./en/handling";
import { agents } from "./en/agents";
import { synpunkter } from "./en/synpunkter";
import { charging } from "./en/charging";
import { ivr } from "./en/ivr";
import { timeSpent } from "./en/timeSpent";
import { position } from "./en/position";
import type { MessageKey } from "./sv";
import { open311 } from "./en/open311";
import { targets } from "./en/targets";
import { map } from "./en/map";

export const en: Record<MessageKey, string> = { ...common, ...citizen, ...workspace, ...dashboard, ...admin, ...receipts, ...recategorise, ...switchboard, ...records, ...knowledge, ...search, ...handling, ...targets, ...agents, ...synpunkter, ...charging, ...ivr, ...timeSpent, ...position, ...map, ...open311 };
