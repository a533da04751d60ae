// The skills Codex offers in the session's folder (SessionService.ListSkills,
// Codex `skills/list`): each one's `$name`, scope and description, marked
// when Codex's config turns it off, and the SKILL.md files Codex could not
// load. An admin turns one off or on for the whole server
// (SetSkillEnabled, Codex `skills/config/write`), as Codex's `/skills` menu
// does. Opened from the session's More menu, over the transcript; Close
// hides it.
import { CODEX_CALL_TIMEOUT_MS, sessions } from "./api.js";
import { button, h } from "./dom.js";
import { errorText } from "./feedback.js";
import type { Skill, SkillError } from "./gen/codex_manager/v1/sessions_pb.js";
import { codexPanel, type CodexPanel } from "./panel.js";

// `changed` runs after an admin turned a skill off or on (the composer's
// "$" picker forgets the list it holds).
export function skillsPanel(sessionId: string, isAdmin: boolean, changed: () => void): CodexPanel {
  const call = { timeoutMs: CODEX_CALL_TIMEOUT_MS };

  const row = (initial: Skill): HTMLElement => {
    let skill = initial;
    const state = h("span", { class: "muted small" });
    const toggle = button("", () => {
      toggle.disabled = true;
      void (async () => {
        try {
          skill = await sessions.setSkillEnabled(
            { sessionId, path: skill.path, enabled: !skill.enabled }, call);
          changed();
          show();
        } catch (err) {
          state.textContent = errorText(err);
          state.className = "error small";
        } finally {
          toggle.disabled = false;
        }
      })();
    });
    const about = h("span", { class: "small" }, skill.shortDescription || skill.description);
    const item = h("li", { class: "skill" },
      h("div", { class: "row" }, h("span", { class: "mono" }, `$${skill.name}`), " ", state,
        ...(isAdmin ? [toggle] : [])),
      about, h("div", { class: "muted small mono path" }, skill.path));
    const show = () => {
      item.classList.toggle("disabled", !skill.enabled);
      state.className = "muted small";
      state.textContent = skill.enabled ? skill.scope : `${skill.scope} · disabled`;
      toggle.textContent = skill.enabled ? "Turn off" : "Turn on";
      toggle.title = skill.enabled
        ? `Codex stops offering $${skill.name} in this server's sessions started or resumed from now on`
        : `Codex offers $${skill.name} again in this server's sessions started or resumed from now on`;
    };
    show();
    return item;
  };
  const failed = (e: SkillError) => h("li", { class: "skill failed" },
    h("span", { class: "error small" }, `Not loaded: ${e.message}`),
    h("div", { class: "muted small mono path" }, e.path));

  return codexPanel("skills", "Skills", "skill-list", async () => {
    const { skills, errors } = await sessions.listSkills({ sessionId }, call);
    return [skills.length + errors.length > 0
      ? h("ul", {}, ...skills.map(row), ...errors.map(failed))
      : h("p", { class: "muted small" }, "Codex offers no skills in this folder.")];
  });
}
