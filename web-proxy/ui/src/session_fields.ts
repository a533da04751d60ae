// The fields of a session's settings, shared by the new-session form
// (CreateSession), a session's settings (UpdateSession) and the composer's
// settings for the next turn (StartTurn). Values are the API's: "" is
// "not set" (Codex's configuration, or the session's for a turn).
import { codex, CODEX_CALL_TIMEOUT_MS } from "./api.js";
import { h } from "./dom.js";
import type { Model } from "./gen/codex_manager/v1/codex_pb.js";

const select = (name: string, options: [string, string][]) =>
  h("select", { name }, ...options.map(([value, label]) => h("option", { value }, label))) as HTMLSelectElement;

// Codex approval policy.
export const policySelect = (name: string) => select(name, [
  ["", "Codex default"],
  ["untrusted", "untrusted (ask for commands)"],
  ["on-request", "on-request"],
  ["never", "never"],
]);

// Codex sandbox mode; the server admits it against --max-sandbox
// (PERMISSION_DENIED names the flag). `unset` names what "" means there.
export const sandboxSelect = (name: string, unset = "Codex default") => select(name, [
  ["", unset],
  ["read-only", "read-only"],
  ["workspace-write", "workspace-write"],
  ["danger-full-access", "danger-full-access"],
]);

// The efforts and speeds offered while the model is not known.
const USUAL_EFFORTS: [string, string][] = ["low", "medium", "high", "xhigh"].map((e) => [e, e]);
const USUAL_TIERS: [string, string][] = [["default", "Standard"], ["priority", "Fast"]];

// Reasoning effort; `unset` names what "" means where the field is. These
// are the usual ones until offerEfforts names the model's.
export const effortSelect = (name: string, unset: string) => select(name, [["", unset], ...USUAL_EFFORTS]);

// The server's Codex models of a model provider ("": the configuration's
// default one), from CodexService.ListModels (a one-off Codex call).
// The fields of one form share an answer; one older than MODELS_FRESH_MS
// is asked again, so a page left open sees the server's Codex change (its
// config.toml's model, an upgrade), and a failed call is asked again the
// next time.
const MODELS_FRESH_MS = 60_000;
const modelLists = new Map<string, { asked: number; models: Promise<Model[]> }>();
export function codexModels(modelProvider = ""): Promise<Model[]> {
  const kept = modelLists.get(modelProvider);
  if (kept && Date.now() - kept.asked < MODELS_FRESH_MS) return kept.models;
  const models = codex.listModels({ modelProvider }, { timeoutMs: CODEX_CALL_TIMEOUT_MS }).then((r) => r.models);
  const entry = { asked: Date.now(), models };
  modelLists.set(modelProvider, entry);
  models.catch(() => {
    if (modelLists.get(modelProvider) === entry) modelLists.delete(modelProvider);
  });
  return models;
}

// Offers in an effort select the reasoning efforts `model` takes, as
// Codex's own model picker does (Model.supported_efforts, its default one
// marked), so that each one Codex has (e.g. "max") can be chosen; what is
// selected stays selected. `model` "": the one a session that names none
// runs (sessionDefault). Where Codex does not list the model (another
// provider's, or a name Codex does not know) the usual ones are offered;
// a failed call leaves the select as it is.
export async function offerEfforts(el: HTMLSelectElement, model: string, modelProvider = ""): Promise<void> {
  const found = await listedModel(model, modelProvider);
  if (found === null) return;
  if (!found || found.supportedEfforts.length === 0) return offer(el, USUAL_EFFORTS);
  offer(el, found.supportedEfforts.map((e) => [e, e === found.defaultEffort ? `${e} (model's default)` : e]));
}

// The same for a speed select (tierSelect): Standard and the service
// tiers `model` offers (Model.service_tiers, by their names, e.g. Fast).
export async function offerTiers(el: HTMLSelectElement, model: string, modelProvider = ""): Promise<void> {
  const found = await listedModel(model, modelProvider);
  if (found === null) return;
  if (!found) return offer(el, USUAL_TIERS);
  offer(el, [["default", "Standard"], ...found.serviceTiers.map((t): [string, string] => [t.id, t.name || t.id])]);
}

// The model a session that names none runs: the one Codex's
// configuration names (Model.configured), else Codex's default.
export const sessionDefault = (models: Model[]) =>
  models.find((m) => m.configured) ?? models.find((m) => m.isDefault);

// The model Codex lists by that name ("": sessionDefault); undefined when
// it lists none such, null when the list could not be read.
async function listedModel(model: string, modelProvider: string): Promise<Model | undefined | null> {
  try {
    const models = await codexModels(modelProvider);
    return model ? models.find((m) => m.model === model) : sessionDefault(models);
  } catch {
    return null;
  }
}

// Puts `options` after a select's "" option, keeping what is selected.
function offer(el: HTMLSelectElement, options: [string, string][]): void {
  const chosen = el.value;
  const unset = el.options[0]?.value === "" ? el.options[0].text : "default";
  el.replaceChildren(h("option", { value: "" }, unset),
    ...options.map(([value, label]) => h("option", { value }, label)));
  choose(el, chosen);
}

// Service tier (Codex's `serviceTier`): "priority" is its Fast mode,
// "default" standard speed; `unset` names what "" means where the field is.
export const tierSelect = (name: string, unset: string) => select(name, [["", unset], ...USUAL_TIERS]);

// Selects `value` in a select, adding it as an option first when the
// select has none (a value set through another client, e.g. an effort
// this list lacks), so that showing a setting never changes it.
export function choose(el: HTMLSelectElement, value: string): void {
  if (![...el.options].some((o) => o.value === value)) el.append(h("option", { value }, value));
  el.value = value;
}

// A model name, with the server's Codex models (CodexService.ListModels)
// as suggestions, asked for when the field is first focused. A typed name
// works without them; a failed call is asked again on the next focus.
// `provider`, when given, is the field naming the model provider whose
// models are offered (asked again once it changes).
export function modelField(name: string, listId: string, placeholder: string,
                           provider?: HTMLInputElement): [HTMLInputElement, HTMLElement] {
  const input = h("input", { name, placeholder, list: listId, autocomplete: "off" }) as HTMLInputElement;
  const list = h("datalist", { id: listId });
  let asked: string | undefined;
  input.addEventListener("focus", async () => {
    const modelProvider = provider?.value.trim() ?? "";
    if (asked === modelProvider) return;
    asked = modelProvider;
    try {
      const models = await codexModels(modelProvider);
      const usual = sessionDefault(models);
      list.replaceChildren(...models.map((m) =>
        h("option", { value: m.model }, `${m.displayName || m.model}${m === usual ? " (default)" : ""}`)));
    } catch {
      asked = undefined;
    }
  });
  return [input, list];
}

// The model providers of the server's Codex configuration
// (CodexService.ListModelProviders), offered once the field is focused.
export function providerField(name: string, listId: string): [HTMLInputElement, HTMLElement] {
  const input = h("input", { name, placeholder: "Codex default", list: listId, autocomplete: "off" }) as HTMLInputElement;
  const list = h("datalist", { id: listId });
  let asked = false;
  input.addEventListener("focus", async () => {
    if (asked) return;
    asked = true;
    try {
      const r = await codex.listModelProviders({}, { timeoutMs: CODEX_CALL_TIMEOUT_MS });
      list.replaceChildren(...r.providers.map((p) =>
        h("option", { value: p.id }, `${p.name || p.id}${p.isDefault ? " (default)" : ""}`)));
    } catch {
      asked = false;
    }
  });
  return [input, list];
}
