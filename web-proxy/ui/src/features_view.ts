// The "Codex features" card of the session list (admins): Codex's feature
// flags (CodexService.ListCodexFeatures, asked each time the card opens),
// whether each is on for sessions started now, filtered by name as typed;
// each turned on or off, or back to Codex's default, for the whole server
// (SetCodexFeature: `[features]` in the server's CODEX_HOME config.toml,
// as `codex features enable` does on the machine). Sessions started or
// resumed afterwards follow it; a live one's Codex keeps what it loaded.
import { CODEX_CALL_TIMEOUT_MS, codex } from "./api.js";
import { button, h } from "./dom.js";
import { errorText, toast } from "./feedback.js";
import { type CodexFeature, CodexFeatureSetting } from "./gen/codex_manager/v1/codex_pb.js";

// Codex's stages as its own `codex features list` words them.
const STAGE: Record<string, string> = {
  beta: "experimental",
  underDevelopment: "under development",
};

const stateText = (f: CodexFeature) =>
  `${STAGE[f.stage] ?? f.stage} · ${f.enabled ? "on" : "off"}` +
  (f.enabled === f.defaultEnabled ? " (Codex's default)" : ` (Codex's default: ${f.defaultEnabled ? "on" : "off"})`);

export function featuresPanel(): HTMLElement {
  const call = { timeoutMs: CODEX_CALL_TIMEOUT_MS };
  const filter = h("input", { type: "search", name: "feature_filter", autocomplete: "off",
                              placeholder: "Filter by name", "aria-label": "Filter Codex features by name" }) as HTMLInputElement;
  const list = h("div", { class: "feature-list" });
  const body = h("div", { class: "small" });
  const panel = h("details", { class: "card features" }, h("summary", {}, "Codex features"), body) as HTMLDetailsElement;
  const shown = (row: HTMLElement) => {
    const q = filter.value.trim().toLowerCase();
    row.hidden = q !== "" && !row.dataset.feature!.toLowerCase().includes(q);
    return row;
  };
  filter.addEventListener("input", () => {
    for (const row of list.children) shown(row as HTMLElement);
  });

  const row = (f: CodexFeature): HTMLElement => {
    const set = async (setting: CodexFeatureSetting) => {
      try {
        const r = await codex.setCodexFeature({ name: f.name, setting }, call);
        if (r.feature) el.replaceWith(shown(row(r.feature)));
        if (r.overridden) toast(`Written, but Codex's configuration sets it elsewhere: ${r.overridden}`);
      } catch (err) {
        toast(errorText(err));
      }
    };
    const el = h("div", { class: "row feature", "data-feature": f.name },
      h("div", {},
        h("div", { class: "mono" }, f.displayName ? `${f.name} — ${f.displayName}` : f.name),
        h("div", { class: f.enabled ? "" : "muted" }, stateText(f)),
        f.description ? h("div", { class: "muted" }, f.description) : null),
      h("div", { class: "row" },
        button(f.enabled ? "Turn off" : "Turn on",
               () => void set(f.enabled ? CodexFeatureSetting.DISABLED : CodexFeatureSetting.ENABLED)),
        f.enabled !== f.defaultEnabled
          ? button("Default", () => void set(CodexFeatureSetting.DEFAULT)) : null));
    return el;
  };

  panel.addEventListener("toggle", async () => {
    if (!panel.open) return;
    body.replaceChildren(h("p", { class: "muted" }, "Loading…"));
    try {
      const r = await codex.listCodexFeatures({}, call);
      const features = [...r.features].sort((a, b) => a.name.localeCompare(b.name));
      list.replaceChildren(...features.map((f) => shown(row(f))));
      body.replaceChildren(
        h("p", { class: "muted" }, "For sessions started or resumed from now on; a live session keeps what its Codex loaded."),
        filter, list);
    } catch (err) {
      body.replaceChildren(h("p", { class: "error" }, errorText(err)));
    }
  });
  return panel;
}
