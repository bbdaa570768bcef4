/** Arabic, for the citizens' pages only: what is missing falls back to Swedish (i18n.tsx). */
import { common } from "./ar/common";
import { citizen } from "./ar/citizen";
import { knowledge } from "./ar/knowledge";
import { synpunkter } from "./ar/synpunkter";
import { map } from "./ar/map";
import type { MessageKey } from "./sv";

export const ar: Partial<Record<MessageKey, string>> = { ...common, ...citizen, ...knowledge, ...synpunkter, ...map };
