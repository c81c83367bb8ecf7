// Calls to the gateway's /v1 API with the session cookie, and errors in plain French.
// The API key is never seen here: the HttpOnly cookie authenticates, the CSRF token (from the
// page's <meta>) goes in a header on every state-changing request.

const CSRF = document.querySelector('meta[name="csrf-token"]')?.content || "";

export class ApiError extends Error {
  constructor(message, { status = 0, code = null, retryAfter = null } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** A plain-French message for an API failure (status + OpenAI-style error code). */
export function frenchMessage(status, code, retryAfter) {
  if (code === "session_expired" || status === 401) return "Votre session a expiré ou a été fermée. Reconnectez-vous (le travail non enregistré sur cette page sera perdu si vous la quittez).";
  if (code === "csrf_failed") return "La page n'est plus à jour (jeton de sécurité invalide). Rechargez la page.";
  if (code === "permission_denied" || status === 403) return "Votre profil ne permet pas d'utiliser cette fonction.";
  if (status === 413 || code === "request_too_large" || code === "context_length_exceeded" || code === "input_too_long" || code === "input_too_large")
    return "Le texte envoyé est trop long pour le modèle. Réduisez ou scindez les documents, puis réessayez.";
  if (status === 429 || code === "engine_busy" || code === "server_overloaded" || (status === 503 && code !== "knowledge_base_missing")) {
    const wait = retryAfter ? ` (environ ${retryAfter} s)` : "";
    return `Le modèle est occupé par d'autres demandes. Réessayez dans quelques instants${wait}.`;
  }
  if (code === "knowledge_base_missing") return "La base de connaissances n'est pas installée sur ce serveur : demandez à l'administrateur de lancer « partages kb build ».";
  if (status === 404) return "Cette fonction n'est pas disponible sur ce serveur (ou le document n'existe plus).";
  if (code === "draft_not_validated") return "Seul un document validé peut être exporté ou expliqué au patient : validez-le d'abord.";
  if (code === "draft_already_validated" || status === 409) return "Ce document a déjà été validé ou modifié entre-temps : rechargez-le.";
  if (status === 400 || status === 422) return "La demande est incomplète ou invalide. Vérifiez les documents saisis (type, date, texte).";
  if (status >= 500) return "Erreur du serveur. Réessayez ; si le problème persiste, prévenez l'administrateur.";
  return "Le serveur ne répond pas. Vérifiez la connexion au réseau de l'hôpital.";
}

/** fetch() a /v1 route; returns parsed JSON, throws ApiError with a French message. */
export async function api(path, { method = "GET", body = undefined, signal = undefined, raw = false } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = CSRF;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let resp;
  try {
    resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, credentials: "same-origin", cache: "no-store" });
  } catch (err) {
    if (err.name === "AbortError") throw new ApiError("Tâche annulée.", { code: "cancelled" });
    throw new ApiError(frenchMessage(0, null));
  }
  if (!resp.ok) {
    let code = null;
    try { code = (await resp.json())?.error?.code ?? null; } catch { /* not JSON */ }
    const retryAfter = resp.headers.get("Retry-After");
    throw new ApiError(frenchMessage(resp.status, code, retryAfter), { status: resp.status, code, retryAfter });
  }
  return raw ? resp : resp.json();
}

/** Save text as a file (export), without leaving the page. */
export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
