/** Swedish: the default language and the source of every key, one file per part of the app. */
import { common } from "./sv/common";
import { citizen } from "./sv/citizen";
import { workspace } from "./sv/workspace";
import { dashboard } from "./sv/dashboard";
import { admin } from "./sv/admin";
import { recategorise } from "./sv/recategorise";
import { switchboard } from "./sv/switchboard";

export const sv = { ...common, ...citizen, ...workspace, ...dashboard, ...admin, ...recategorise, ...switchboard };

export type MessageKey = keyof typeof sv;
