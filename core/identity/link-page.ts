import { chatOf } from './chat-label.ts';

/**
 * The link page (`/link/<code>`): small server-rendered Spanish HTML, no script, no external asset;
 * its one inline style carries the response's CSP nonce. Every value shown is HTML-escaped.
 */

export const PAGE_TITLE = 'Vincular tu cuenta del CMMS';

const CSS = `*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f5f7;color:#1d2733}
main{max-width:28rem;margin:0 auto;padding:1.5rem 1rem}
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.35rem;margin:0 0 .75rem}
p{margin:.5rem 0}
.note{color:#4a5866;font-size:.92rem}
.warn{background:#fff4e5;color:#6b3d00;border-radius:8px;padding:.6rem .8rem;font-weight:600}
.error{background:#fdecea;color:#8a1c12;border-radius:8px;padding:.6rem .8rem}
.ok{background:#e8f5e9;color:#1b5e20;border-radius:8px;padding:.6rem .8rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input{width:100%;font-size:1rem;padding:.7rem;border:1px solid #7a8794;border-radius:8px}
button{width:100%;margin-top:1.25rem;font-size:1.05rem;font-weight:600;padding:.8rem;border:0;border-radius:8px;background:#0b5cad;color:#fff}`;

/** HTML-escapes a text for an element's content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function layout(nonce: string, content: string): string {
  return `<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${PAGE_TITLE}</title>
<style nonce="${escapeHtml(nonce)}">${CSS}</style>
</head>
<body><main><div class="card">
${content}
</div></main></body>
</html>`;
}

export interface FormPageInput {
  nonce: string;
  conversationId: string;
  /** Shown again after an error (never the password). */
  username?: string;
  error?: string;
}

/**
 * The form: posts `username` and `password` to the page's own URL. It names the chat being linked
 * (channel and the address's last characters) and warns against a link someone else sent: signing
 * in on it would let THEIR chat act as you.
 */
export function formPage(input: FormPageInput): string {
  const error = input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : '';
  return layout(
    input.nonce,
    `<h1>${PAGE_TITLE}</h1>
<p>Vas a vincular ${escapeHtml(chatOf(input.conversationId).mine)} con tu cuenta del CMMS, para que el asistente actúe a tu nombre.</p>
<p class="warn">${escapeHtml(pageText.notYours)}</p>
<p class="note">Tu contraseña se envía solo al CMMS para iniciar tu sesión: el asistente no la guarda ni la muestra en el chat. Este enlace sirve una sola vez y vence en 10 minutos.</p>
${error}
<form method="post">
<label for="username">Usuario del CMMS</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" autocorrect="off" spellcheck="false" maxlength="150" required value="${escapeHtml(input.username ?? '')}">
<label for="password">Contraseña</label>
<input id="password" name="password" type="password" autocomplete="current-password" maxlength="512" required>
<button type="submit">Vincular cuenta</button>
</form>`,
  );
}

/** A page with one message: `kind` "ok" for success, "error" otherwise. */
export function messagePage(nonce: string, heading: string, text: string, kind: 'ok' | 'error' = 'error'): string {
  return layout(nonce, `<h1>${escapeHtml(heading)}</h1>\n<p class="${kind}">${escapeHtml(text)}</p>`);
}

/** The pages' Spanish texts. */
export const pageText = {
  expired:
    'Este enlace ya no es válido (ya se usó o venció): escribe "vincular cuenta" en el chat para recibir uno nuevo.',
  notYours: 'Si no pediste este enlace en tu propio chat, no continúes.',
  missingFields: 'Escribe tu usuario y tu contraseña del CMMS.',
  unsupported: 'No pude leer el formulario. Ábrelo de nuevo desde el enlace y envíalo desde esta página.',
  tooLarge: 'El formulario es demasiado grande. Ábrelo de nuevo desde el enlace y vuelve a intentarlo.',
  unavailable:
    'No pude comunicarme con el CMMS. Vuelve a intentarlo en unos minutos con este mismo enlace, mientras no venza.',
  tooMany: (minutes: number) =>
    `Hiciste demasiados intentos. Espera ${minutes === 1 ? '1 minuto' : `${minutes} minutos`} antes de volver a intentarlo, o escribe "vincular cuenta" en el chat para recibir un enlace nuevo.`,
  refused: (remaining: number) => {
    const left =
      remaining <= 0
        ? 'Ya no te quedan intentos: espera 10 minutos o escribe "vincular cuenta" en el chat para recibir un enlace nuevo.'
        : remaining === 1
          ? 'Te queda 1 intento.'
          : `Te quedan ${remaining} intentos.`;
    return `Usuario o contraseña incorrectos. ${left}`;
  },
  linked: (fullName: string, role: string) =>
    `Listo, ${fullName}${role ? ` (${role})` : ''}: tu cuenta quedó vinculada. Vuelve al chat.`,
};
