/** Swedish: the default language and the source of every key, one file per part of the app. */
import { common } from "./sv/common";
import { citizen } from "./sv/citizen";
import { workspace } from "./sv/workspace";
import { dashboard } from "./sv/dashboard";
import { admin } from "./sv/admin";
import { receipts } from "./sv/receipts";
import { recategorise } from "./sv/recategorise";
import { switchboard } from "./sv/switchboard";
import { records } from "./sv/records";
import { knowledge } from "./sv/knowledge";
import { search } from "./sv/search";
import { handling } from "./sv/handling";
import { open311 } from "./sv/open311";
import { targets } from "./sv/targets";
import { agents } from "./sv/agents";
import { synpunkter } from "./sv/synpunkter";
import { charging } from "./sv/charging";
import { ivr } from "./sv/ivr";
import { timeSpent } from "./sv/timeSpent";
import { position } from "./sv/position";
import { map } from "./sv/map";

export const sv = { ...common, ...citizen, ...workspace, ...dashboard, ...admin, ...receipts, ...recategorise, ...switchboard, ...records, ...knowledge, ...search, ...handling, ...targets, ...agents, ...synpunkter, ...charging, ...ivr, ...timeSpent, ...position, ...map, ...open311 };

export type MessageKey = keyof typeof sv;
