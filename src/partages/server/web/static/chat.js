// Chat with the model; by default grounded in the trusted knowledge base (``retrieval``
// extension): the answer's [n] markers link to the numbered citations listed under it.
import { api, ApiError } from "./api.js";

const $ = (sel) => document.querySelector(sel);
let model = null;
let turn = 0;

async function modelId(signal) {
  if (!model) model = (await api("/v1/models", { signal })).data?.[0]?.id;
  if (!model) throw new ApiError("Aucun modèle n'est servi par ce serveur.");
  return model;
}

function message(role, text) {
  const box = document.createElement("div");
  box.className = `msg ${role}`;
  const who = document.createElement("div");
  who.className = role === "user" ? "muted" : "ai-tag";
  who.textContent = role === "user" ? "Vous" : "Réponse générée par IA — à vérifier";
  box.append(who);
  if (text !== undefined) {
    const p = document.createElement("div");
    p.className = "answer";
    p.textContent = text;
    box.append(p);
  }
  $("#chat-log").append(box);
  return box;
}

/** The answer with its [n] markers turned into links to the citation list. */
function answerWithCitations(box, content, citations, n) {
  const p = document.createElement("div");
  p.className = "answer";
  const known = new Set(citations.map((c) => c.index));
  let last = 0;
  for (const m of content.matchAll(/\[(\d+)\]/g)) {
    const idx = Number(m[1]);
    if (!known.has(idx)) continue;
    p.append(content.slice(last, m.index));
    const a = document.createElement("a");
    a.href = `#cite-${n}-${idx}`;
    a.className = "cite-ref";
    a.textContent = `[${idx}]`;
    a.setAttribute("aria-label", `Source ${idx}`);
    p.append(a);
    last = m.index + m[0].length;
  }
  p.append(content.slice(last));
  box.append(p);
  if (!citations.length) return;
  const h = document.createElement("div");
  h.className = "muted";
  h.textContent = "Sources :";
  const ol = document.createElement("ol");
  ol.className = "citations";
  for (const c of citations) {
    const li = document.createElement("li");
    li.id = `cite-${n}-${c.index}`;
    li.value = c.index;
    const title = document.createElement("strong");
    title.textContent = c.title || c.id;
    li.append(title, ` — ${String(c.source || "").toUpperCase()}${c.version ? ` ${c.version}` : ""}`);
    if (c.snippet) {
      const q = document.createElement("div");
      q.textContent = `« ${c.snippet} »`;
      li.append(q);
    }
    if (c.licence) {
      const lic = document.createElement("div");
      lic.className = "muted";
      lic.textContent = `Licence : ${c.licence}`;
      li.append(lic);
    }
    ol.append(li);
  }
  box.append(h, ol);
}

export function setupChat({ runLong, showError, clearError }) {
  const errorBox = $("#chat-error");
  $("#chat-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const input = $("#chat-input");
    const question = input.value.trim();
    if (!question) { input.focus(); return; }
    clearError(errorBox);
    const grounded = $("#chat-grounded").checked;
    const asked = message("user", question);
    try {
      const resp = await runLong("Réponse", async (signal) => {
        const body = { model: await modelId(signal), messages: [{ role: "user", content: question }], max_tokens: 200, temperature: 0 };
        if (grounded) body.retrieval = { enabled: true, k: 5 };
        return api("/v1/chat/completions", { method: "POST", body, signal });
      });
      input.value = "";
      const box = message("assistant");
      answerWithCitations(box, resp.choices?.[0]?.message?.content ?? "", resp.citations || [], ++turn);
      box.tabIndex = -1;
      box.focus();
    } catch (err) {
      const note = document.createElement("div");
      note.className = "muted";
      note.textContent = err.code === "cancelled" ? "Question annulée." : "Sans réponse (voir l'erreur).";
      asked.append(note);
      showError(errorBox, err);
    }
  });
  $("#chat-input").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) $("#chat-form").requestSubmit();
  });
}
