// The one conversation every mail protocol has: greeting, capabilities, optionally STARTTLS and capabilities again
// (what was said in plaintext is forgotten), then goodbye. A table row per protocol says how each part is spoken.
import type { Protocol } from '../../settings/model.js';
import type { ProbeTarget } from '../types.js';
import { advertisesStartTls, upgradeKeyword } from './capabilities.js';
import { ProbeFailure } from './failure.js';
import type { Conversation } from './session.js';

/** Server text quoted in results is cut to this length: it ends up in JSON, pages and terminals. */
const QUOTE_LIMIT = 200;

/** Server text made safe to show: printable, bounded. */
export function quote(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?');
  return clean.length > QUOTE_LIMIT ? `${clean.slice(0, QUOTE_LIMIT)}...` : clean;
}

/** An answer as the dialogue needs it: did it say yes, and its text for reports. */
interface Answer {
  accepted: boolean;
  text: string;
}

/** How one protocol speaks each part of the conversation; one instance per connection (IMAP numbers its tags). */
interface Dialogue {
  /** The greeting as received, and a failure when it refuses the session or is not this protocol. */
  greeting(c: Conversation): Promise<{ text: string; refusal?: ProbeFailure }>;
  capabilities(c: Conversation): Promise<string[]>;
  /** Asks to upgrade to TLS. */
  startTls(c: Conversation): Promise<Answer>;
  quit(c: Conversation): void;
}

export interface Observations {
  greeting?: string;
  /** Capabilities as read last (after TLS when TLS was used). */
  capabilities: string[];
}

/** Runs the conversation; throws a ProbeFailure when the server refuses a part of it. */
export async function converse(c: Conversation, target: ProbeTarget, seen: Observations, ehloName: string): Promise<void> {
  const dialogue = DIALOGUES[target.protocol](ehloName);
  const greeting = await dialogue.greeting(c);
  seen.greeting = quote(greeting.text);
  if (greeting.refusal) throw greeting.refusal;
  seen.capabilities = await dialogue.capabilities(c);
  if (target.security === 'starttls') {
    const advertised = advertisesStartTls(target.protocol, seen.capabilities);
    const answer = await dialogue.startTls(c);
    if (!answer.accepted) {
      throw new ProbeFailure('starttls', `${upgradeKeyword(target.protocol)} refused: ${quote(answer.text)}${advertised ? '' : ' (it was not advertised)'}`);
    }
    await c.startTls();
    // Forget what was said in plaintext: only capabilities read under TLS count.
    seen.capabilities = [];
    seen.capabilities = await dialogue.capabilities(c);
  }
  dialogue.quit(c);
}

const DIALOGUES: Record<Protocol, (ehloName: string) => Dialogue> = {
  imap: imapDialogue,
  pop3: pop3Dialogue,
  smtp: smtpDialogue,
};

// --- IMAP (RFC 9051 / 3501) ---

function imapDialogue(): Dialogue {
  let tags = 0;
  const command = async (c: Conversation, text: string): Promise<{ tag: string; status: string; untagged: string[] }> => {
    const tag = `a${++tags}`;
    c.write(`${tag} ${text}`);
    const untagged: string[] = [];
    for (;;) {
      const line = await c.line(`answer to ${text}`);
      if (line.toLowerCase().startsWith(`${tag} `)) return { tag, status: line, untagged };
      if (/^\* BYE\b/i.test(line)) throw new ProbeFailure('closed', `the server ended the session: ${quote(line)}`);
      untagged.push(line);
    }
  };
  const ok = (tag: string, status: string) => new RegExp(`^${tag} OK\\b`, 'i').test(status);
  return {
    async greeting(c) {
      const text = await c.line('greeting');
      if (/^\* BYE\b/i.test(text)) return { text, refusal: new ProbeFailure('rejected', `the server refused the session: ${quote(text)}`) };
      if (!/^\* (OK|PREAUTH)\b/i.test(text)) return { text, refusal: new ProbeFailure('protocol', `not an IMAP greeting: ${quote(text)}`) };
      return { text };
    },
    async capabilities(c) {
      const answer = await command(c, 'CAPABILITY');
      if (!ok(answer.tag, answer.status)) throw new ProbeFailure('protocol', `CAPABILITY failed: ${quote(answer.status)}`);
      return answer.untagged
        .filter((line) => /^\* CAPABILITY /i.test(line))
        .flatMap((line) => line.slice('* CAPABILITY '.length).trim().split(/\s+/))
        .filter((cap) => cap !== '');
    },
    async startTls(c) {
      const answer = await command(c, 'STARTTLS');
      return { accepted: ok(answer.tag, answer.status), text: answer.status };
    },
    quit(c) {
      c.write(`a${++tags} LOGOUT`);
    },
  };
}

// --- POP3 (RFC 1939, 2449, 2595) ---

function pop3Dialogue(): Dialogue {
  return {
    async greeting(c) {
      const text = await c.line('greeting');
      if (/^-ERR\b/i.test(text)) return { text, refusal: new ProbeFailure('rejected', `the server refused the session: ${quote(text)}`) };
      if (!/^\+OK\b/i.test(text)) return { text, refusal: new ProbeFailure('protocol', `not a POP3 greeting: ${quote(text)}`) };
      return { text };
    },
    /** CAPA is optional (RFC 2449): a server without it simply has no capability list. */
    async capabilities(c) {
      c.write('CAPA');
      const status = await c.line('answer to CAPA');
      if (!/^\+OK\b/i.test(status)) return [];
      const caps: string[] = [];
      for (;;) {
        const line = await c.line('end of the CAPA list');
        if (line === '.') return caps;
        caps.push(line.startsWith('..') ? line.slice(1) : line);
      }
    },
    async startTls(c) {
      c.write('STLS');
      const text = await c.line('answer to STLS');
      return { accepted: /^\+OK\b/i.test(text), text };
    },
    quit(c) {
      c.write('QUIT');
    },
  };
}

// --- SMTP (RFC 5321, 3207) ---

/** An SMTP reply: its code, the text of each line, and the lines as received. */
type Reply = { code: number; lines: string[]; raw: string[] };

/** One reply, multi-line ("250-...") up to its last line ("250 ..."). */
async function smtpReply(c: Conversation, what: string): Promise<Reply> {
  const lines: string[] = [];
  const raw: string[] = [];
  for (;;) {
    const line = await c.line(what);
    const match = /^([2-5][0-9]{2})([ -]|$)(.*)$/.exec(line);
    if (!match) throw new ProbeFailure('protocol', `not an SMTP reply: ${quote(line)}`);
    lines.push((match[3] ?? '').trim());
    raw.push(line);
    if (match[2] !== '-') return { code: Number(match[1]), lines, raw };
  }
}

function smtpDialogue(ehloName: string): Dialogue {
  return {
    async greeting(c) {
      const reply = await smtpReply(c, 'greeting');
      const text = reply.raw.join('\n');
      const oneLine = quote(reply.raw.join(' '));
      if (reply.code === 554) return { text, refusal: new ProbeFailure('rejected', `the server offers no SMTP service here: ${oneLine}`) };
      if (reply.code !== 220) return { text, refusal: new ProbeFailure('rejected', `the server refused the session: ${oneLine}`) };
      return { text };
    },
    /** EHLO keywords (the lines after the server's name); a server that rejects EHLO has none. */
    async capabilities(c) {
      c.write(`EHLO ${ehloName}`);
      const reply = await smtpReply(c, 'answer to EHLO');
      return reply.code === 250 ? reply.lines.slice(1).filter((line) => line !== '') : [];
    },
    async startTls(c) {
      c.write('STARTTLS');
      const reply = await smtpReply(c, 'answer to STARTTLS');
      return { accepted: reply.code === 220, text: reply.raw.join(' ') };
    },
    quit(c) {
      c.write('QUIT');
    },
  };
}
