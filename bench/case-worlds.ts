// The simulated networks of the issue-11 bench rows (shared hosting, Autodiscover only, a dead first SRV target),
// 50 ms added to every answer. Started in a child process (bench/world-child.ts) so the fake DNS, mail and web
// servers do not share the event loop with the lookups being measured.
import { startWorld, type World } from '../test/helpers/discovery-world.js';

export const HOP_MS = 50;
export type CaseName = 'shared' | 'autodiscover' | 'dead-srv';

export const SHARED = { customer: 'customer.test', hosterIp: '127.0.3.110' };
export const AUTODISCOVER = { domain: 'outlook-only.test', webIp: '127.0.3.120' };
export const DEAD_SRV = { dead: 'dead-srv.test', live: 'live-srv.test', deadIp: '127.0.3.130', liveIp: '127.0.3.131' };

/** What the measuring side needs to know about a world that runs elsewhere. */
export interface WorldInfo {
  dns: { address: string; port: number };
  ca: string;
  /** `ip:standardPort` -> the port the fake server really listens on. */
  ports: Record<string, number>;
}

export async function startCase(name: CaseName): Promise<{ world: World; info: WorldInfo }> {
  const ports: Record<string, number> = {};
  const track = <T extends { port: number }>(ip: string, standard: number, server: T): T => {
    ports[`${ip}:${standard}`] = server.port;
    return server;
  };
  let world: World;
  if (name === 'shared') {
    const { customer, hosterIp } = SHARED;
    world = await startWorld(
      {
        [customer]: { MX: [{ exchange: 'mx.hoster.test', priority: 10 }] },
        [`imap.${customer}`]: { CNAME: 'mail.hoster.test' },
        [`smtp.${customer}`]: { CNAME: 'mail.hoster.test' },
        [`mail.${customer}`]: { CNAME: 'mail.hoster.test' },
        'mail.hoster.test': { A: [hosterIp] },
        'mx.hoster.test': { A: ['127.0.3.111'] },
      },
      // The certificate names the hoster only.
      ['hoster.test'],
      { delayMs: HOP_MS },
    );
    const tls = { mode: 'tls' as const, pem: world.pki.valid, delayMs: HOP_MS };
    track(hosterIp, 993, await world.imap(hosterIp, 993, tls));
    track(hosterIp, 465, await world.smtp(hosterIp, 465, tls));
  } else if (name === 'autodiscover') {
    const { domain, webIp } = AUTODISCOVER;
    world = await startWorld({ [domain]: { MX: [{ exchange: `mx.${domain}`, priority: 10 }] }, [`autodiscover.${domain}`]: { A: [webIp] } }, [domain], { delayMs: HOP_MS });
    const answer = `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><AccountType>email</AccountType><Action>settings</Action><Protocol><Type>IMAP</Type><Server>imap.${domain}</Server><Port>993</Port><SSL>on</SSL></Protocol><Protocol><Type>SMTP</Type><Server>smtp.${domain}</Server><Port>587</Port><Encryption>TLS</Encryption></Protocol></Account></Response></Autodiscover>`;
    track(webIp, 443, await world.web(webIp, { pem: world.pki.valid, delayMs: HOP_MS, routes: { '/autodiscover/autodiscover.xml': answer } }));
  } else {
    const { dead, live, deadIp, liveIp } = DEAD_SRV;
    world = await startWorld(
      {
        [`_imaps._tcp.${dead}`]: { SRV: [{ priority: 0, weight: 1, port: 993, target: `a.${dead}` }, { priority: 10, weight: 1, port: 993, target: `b.${dead}` }] },
        [`_submission._tcp.${dead}`]: { SRV: [{ priority: 0, weight: 1, port: 587, target: `b.${dead}` }] },
        [`a.${dead}`]: { A: [deadIp] },
        [`b.${dead}`]: { A: [liveIp] },
        [`_imaps._tcp.${live}`]: { SRV: [{ priority: 10, weight: 1, port: 993, target: `b.${live}` }] },
        [`_submission._tcp.${live}`]: { SRV: [{ priority: 0, weight: 1, port: 587, target: `b.${live}` }] },
        [`b.${live}`]: { A: [liveIp] },
      },
      [dead, live],
      { delayMs: HOP_MS },
    );
    track(deadIp, 993, await world.imap(deadIp, 993, { mode: 'tls', pem: world.pki.valid, neverGreet: true }));
    track(liveIp, 993, await world.imap(liveIp, 993, { mode: 'tls', pem: world.pki.valid, delayMs: HOP_MS }));
    track(liveIp, 587, await world.smtp(liveIp, 587, { mode: 'starttls', pem: world.pki.valid, delayMs: HOP_MS }));
  }
  return { world, info: { dns: { address: world.dns.address, port: world.dns.port }, ca: world.pki.ca, ports } };
}
