import { X509Certificate, createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';

// Signs profiles as DER CMS SignedData with the content attached and the chain included, the equivalent of
// `openssl smime -sign -nodetach -outform der -signer cert.pem -inkey key.pem -certfile chain.pem`.
//
// Why not node-forge's pkcs7: forge cannot read EC certificates or sign with EC keys, and ACME CAs issue ECDSA
// certificates by default (a host's TLS certificate is the usual profile signer). node:crypto reads and checks keys
// and certificates of both kinds and signs natively (also much faster than forge's JavaScript RSA); the CMS envelope
// around it is a handful of DER structures written below, with certificates copied byte for byte.

/** Which of the three settings is wrong, and why; the config loader turns it into a ConfigError with the path. */
export class SigningSetupError extends Error {
  override name = 'SigningSetupError';
  constructor(
    readonly variable: 'MAILCONFIG_SIGN_CERT' | 'MAILCONFIG_SIGN_KEY' | 'MAILCONFIG_SIGN_CHAIN',
    message: string,
  ) {
    super(message);
  }
}

export interface SigningMaterial {
  /** PEM: the signing certificate, optionally followed by its chain (a "fullchain" file). */
  cert: string;
  /** PEM: the unencrypted private key (RSA or EC). */
  key: string;
  /** PEM: intermediate certificates to include, so devices can build the path to their trusted root. */
  chain?: string;
}

export interface ProfileSigner {
  /** DER CMS SignedData holding `content`. */
  sign(content: Buffer, now?: Date): Buffer;
  /** The signing certificate's subject, for logs. */
  readonly subject: string;
  /** Problems that do not stop signing but make devices show "Not Verified" (expired, missing issuer). */
  readonly warnings: string[];
}

// ---- DER writing and reading (only what CMS needs) ----

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const SEQUENCE = 0x30;
const SET = 0x31;
const CONTEXT_0 = 0xa0;

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes: number[] = [a! * 40 + b!];
  for (const arc of rest) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
};

const NULL = Buffer.from([0x05, 0x00]);
const VERSION_1 = Buffer.from([0x02, 0x01, 0x01]);

/** CMS signingTime: UTCTime for 1950-2049, GeneralizedTime after (RFC 5652 11.3). */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  const year = date.getUTCFullYear();
  return year < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

interface Element {
  tag: number;
  /** The whole element, header included (a slice of the input: no re-encoding). */
  raw: Buffer;
  content: Buffer;
}

function readElement(der: Buffer, offset: number): Element {
  const tag = der[offset];
  let len = der[offset + 1];
  if (tag === undefined || len === undefined) throw new Error('truncated DER');
  let header = 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    if (count === 0 || count > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + (der[offset + 2 + i] ?? 0);
    header += count;
  }
  const end = offset + header + len;
  if (end > der.length) throw new Error('truncated DER');
  return { tag, raw: der.subarray(offset, end), content: der.subarray(offset + header, end) };
}

function children(element: Element): Element[] {
  const out: Element[] = [];
  for (let offset = 0; offset < element.content.length; ) {
    const child = readElement(element.content, offset);
    out.push(child);
    offset += child.raw.length;
  }
  return out;
}

/** IssuerAndSerialNumber of a certificate, copied from its own bytes. */
function issuerAndSerial(cert: X509Certificate): Buffer {
  const tbs = children(readElement(cert.raw, 0))[0];
  if (!tbs) throw new Error('certificate without tbsCertificate');
  const fields = children(tbs);
  const start = fields[0]?.tag === CONTEXT_0 ? 1 : 0; // skip the optional [0] version
  const serial = fields[start];
  const issuer = fields[start + 2];
  if (serial?.tag !== 0x02 || issuer?.tag !== SEQUENCE) throw new Error('unexpected certificate structure');
  return tlv(SEQUENCE, issuer.raw, serial.raw);
}

// ---- reading and checking the material ----

function certificates(pem: string | undefined): string[] {
  return pem?.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

function parseCertificates(pem: string | undefined, variable: SigningSetupError['variable']): X509Certificate[] {
  return certificates(pem).map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new SigningSetupError(variable, `certificate ${i + 1} cannot be read: ${(error as Error).message}`);
    }
  });
}

function readKey(pem: string): KeyObject {
  if (/-----BEGIN (ENCRYPTED|.* ENCRYPTED) /.test(pem) || /Proc-Type: 4,ENCRYPTED/.test(pem)) {
    throw new SigningSetupError('MAILCONFIG_SIGN_KEY', 'is an encrypted key; give the key without a passphrase');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new SigningSetupError('MAILCONFIG_SIGN_KEY', `does not hold a private key that can be read: ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec') {
    throw new SigningSetupError('MAILCONFIG_SIGN_KEY', `is a ${key.asymmetricKeyType ?? 'unknown'} key; profile signing supports RSA and EC keys`);
  }
  return key;
}

/** Reads and checks the material and returns a signer; throws SigningSetupError naming the setting at fault. */
export function createProfileSigner(material: SigningMaterial, now: Date = new Date()): ProfileSigner {
  const [leaf, ...bundled] = parseCertificates(material.cert, 'MAILCONFIG_SIGN_CERT');
  if (!leaf) throw new SigningSetupError('MAILCONFIG_SIGN_CERT', 'holds no PEM certificate');
  const chain = [...bundled, ...parseCertificates(material.chain, 'MAILCONFIG_SIGN_CHAIN')];
  if (material.chain !== undefined && certificates(material.chain).length === 0) {
    throw new SigningSetupError('MAILCONFIG_SIGN_CHAIN', 'holds no PEM certificate');
  }
  const key = readKey(material.key);
  if (!leaf.checkPrivateKey(key)) {
    throw new SigningSetupError('MAILCONFIG_SIGN_KEY', 'does not belong to the certificate in MAILCONFIG_SIGN_CERT');
  }

  const warnings: string[] = [];
  if (new Date(leaf.validTo) < now) warnings.push(`the profile signing certificate expired on ${leaf.validTo}; devices will show "Not Verified"`);
  if (new Date(leaf.validFrom) > now) warnings.push(`the profile signing certificate is valid only from ${leaf.validFrom}`);
  if (leaf.issuer !== leaf.subject && !chain.some((c) => leaf.checkIssued(c))) {
    warnings.push('MAILCONFIG_SIGN_CHAIN does not hold the issuer of the signing certificate; devices may show "Not Verified"');
  }

  // Everything that does not depend on the content is encoded once.
  const unique = [leaf, ...chain].filter((c, i, all) => all.findIndex((o) => o.fingerprint256 === c.fingerprint256) === i);
  const certificateSet = tlv(CONTEXT_0, ...unique.map((c) => c.raw));
  const digestAlgorithm = tlv(SEQUENCE, oid(OID.sha256));
  const signatureAlgorithm = key.asymmetricKeyType === 'rsa' ? tlv(SEQUENCE, oid(OID.rsaEncryption), NULL) : tlv(SEQUENCE, oid(OID.ecdsaWithSha256));
  const sid = issuerAndSerial(leaf);
  const contentTypeAttribute = tlv(SEQUENCE, oid(OID.contentType), tlv(SET, oid(OID.data)));

  return {
    subject: leaf.subject,
    warnings,
    sign(content: Buffer, at: Date = new Date()): Buffer {
      const digest = createHash('sha256').update(content).digest();
      const attributes = [
        contentTypeAttribute,
        tlv(SEQUENCE, oid(OID.signingTime), tlv(SET, time(at))),
        tlv(SEQUENCE, oid(OID.messageDigest), tlv(SET, tlv(0x04, digest))),
      ].sort(Buffer.compare); // DER orders a SET OF by encoding
      // The signature covers the attributes encoded as a SET; the SignerInfo carries them as [0] IMPLICIT.
      const signature = sign('sha256', tlv(SET, ...attributes), key);
      const signerInfo = tlv(SEQUENCE, VERSION_1, sid, digestAlgorithm, tlv(CONTEXT_0, ...attributes), signatureAlgorithm, tlv(0x04, signature));
      const signedData = tlv(
        SEQUENCE,
        VERSION_1,
        tlv(SET, digestAlgorithm),
        tlv(SEQUENCE, oid(OID.data), tlv(CONTEXT_0, tlv(0x04, content))),
        certificateSet,
        tlv(SET, signerInfo),
      );
      return tlv(SEQUENCE, oid(OID.signedData), tlv(CONTEXT_0, signedData));
    },
  };
}

// One signer per material: the config check at start and the routes share it instead of parsing twice.
const signers = new WeakMap<SigningMaterial, ProfileSigner>();

/** The signer for this material, created on first use (at start, by the config check). */
export function profileSigner(material: SigningMaterial): ProfileSigner {
  let signer = signers.get(material);
  if (!signer) {
    signer = createProfileSigner(material);
    signers.set(material, signer);
  }
  return signer;
}
