// The composer's "$" skill picker, as in Codex's TUI: typing "$" and some
// letters of a skill's name lists the skills Codex offers in the session's
// folder (`list`: SessionService.ListSkills, Codex `skills/list`);
// choosing one puts "$name" in the prompt, which Codex reads as a mention
// of that skill (picker.ts).
import type { Skill } from "./gen/codex_manager/v1/sessions_pb.js";
import { picker, type Choice } from "./picker.js";

// The list is asked again when older than this (a skill added meanwhile
// shows up), not on every key; at once after `forget` (the session's
// SKILLS_CHANGED event: Codex saw a skill file change).
const FRESH_MS = 10_000;

// The code point offsets of `part` in `text`, where it starts at UTF-16
// index `at`.
function span(text: string, at: number, part: string, shift: number): number[] {
  const first = [...text.slice(0, at)].length + shift;
  return [...part].map((_, i) => first + i);
}

// The enabled skills whose name has `query` (case aside), those whose name
// starts with it first, then those whose description has it; at most
// `max`, each shown as "$name" with the query's letters in bold and its
// short description.
export function skillMatches(skills: Skill[], query: string, max: number): Choice[] {
  const q = query.toLowerCase();
  const ranked: { rank: number; skill: Skill; at: number }[] = [];
  for (const skill of skills) {
    if (!skill.enabled) continue;
    const at = skill.name.toLowerCase().indexOf(q);
    const about = (skill.shortDescription || skill.description).toLowerCase();
    const rank = at === 0 ? 0 : at > 0 ? 1 : about.includes(q) ? 2 : -1;
    if (rank >= 0) ranked.push({ rank, skill, at });
  }
  ranked.sort((a, b) => a.rank - b.rank || a.skill.name.localeCompare(b.skill.name));
  return ranked.slice(0, max).map(({ skill, at }) => ({
    said: `$${skill.name}`,
    label: `$${skill.name}`,
    bold: at >= 0 ? span(skill.name, at, skill.name.slice(at, at + query.length), 1) : [],
    detail: skill.shortDescription || skill.description,
  }));
}

export function skillPicker(prompt: HTMLTextAreaElement, list: () => Promise<Skill[]>):
    { element: HTMLElement; forget: () => void } {
  let cached: { at: number; skills: Promise<Skill[]> } | null = null;
  const skills = () => {
    if (!cached || Date.now() - cached.at > FRESH_MS) {
      const asked = { at: Date.now(), skills: list() };
      cached = asked;
      // A failed listing is asked again next time.
      asked.skills.catch(() => { if (cached === asked) cached = null; });
    }
    return cached.skills;
  };
  const element = picker(prompt, {
    trigger: "$", id: "skill-picker", name: "Skills Codex offers here",
    lookup: async (query, max) => skillMatches(await skills(), query, max),
  });
  return { element, forget: () => { cached = null; } };
}
