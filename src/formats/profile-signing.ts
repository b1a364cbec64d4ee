import { X509Certificate, createHash, createPrivateKey, webcrypto, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { MailconfigError } from '../settings/errors.js';

// Signs profiles as DER CMS SignedData with the content attached and the chain included, the equivalent of
// `openssl smime -sign -nodetach -outform der -signer cert.pem -inkey key.pem -certfile chain.pem`.
//
// The CMS structures come from pkijs (PeculiarVentures' maintained CMS/X.509 implementation, on asn1js), which signs
// with RSA (RSASSA-PKCS1-v1_5) and ECDSA through WebCrypto; here Node's own webcrypto is its engine. Not node-forge's
// pkcs7: forge cannot read EC certificates or sign with EC keys, and ACME CAs issue ECDSA certificates by default (a
// host's TLS certificate is the usual profile signer). node:crypto reads and checks the key and certificates at start.

/** Which of the three settings is wrong, and why; the config loader turns it into a ConfigError with the path. */
export class SigningSetupError extends MailconfigError {
  constructor(
    readonly variable: 'MAILCONFIG_SIGN_CERT' | 'MAILCONFIG_SIGN_KEY' | 'MAILCONFIG_SIGN_CHAIN',
    message: string,
  ) {
    super('MAILCONFIG_SIGNING_SETUP_INVALID', message);
  }
}

export interface SigningMaterial {
  /** PEM: the signing certificate, optionally followed by its chain (a "fullchain" file). */
  cert: string;
  /** PEM: the unencrypted private key (RSA or EC). */
  key: string;
  /** PEM: intermediate certificates to include, so devices can build the path to their trusted root. */
  chain?: string | undefined;
}

export interface ProfileSigner {
  /** DER CMS SignedData holding `content` (asynchronous: WebCrypto signs). */
  sign(content: Buffer, now?: Date): Promise<Buffer>;
  /** The signing certificate's subject, for logs. */
  readonly subject: string;
  /** Problems that do not stop signing but make devices show "Not Verified" (expired, missing issuer). */
  readonly warnings: string[];
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

/** WebCrypto names of the EC curves it can sign with, by node:crypto's name. */
const WEBCRYPTO_CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** How WebCrypto is to import the key: RSASSA-PKCS1-v1_5 or ECDSA on the key's curve, SHA-256 either way. */
function keyAlgorithm(key: KeyObject): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams {
  if (key.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const curve = key.asymmetricKeyDetails?.namedCurve ?? 'unknown';
  const namedCurve = WEBCRYPTO_CURVES[curve];
  if (!namedCurve) throw new SigningSetupError('MAILCONFIG_SIGN_KEY', `is an EC key on curve ${curve}; profile signing supports P-256, P-384 and P-521`);
  return { name: 'ECDSA', namedCurve };
}

// Node's webcrypto is the standard Crypto; @types/node names it differently from the DOM type pkijs expects.
const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as pkijs.CryptoEngineParameters['crypto'] });

/** CMS signingTime: UTCTime for 1950-2049, GeneralizedTime after (RFC 5652 11.3); whole seconds. */
function signingTime(at: Date): asn1js.UTCTime | asn1js.GeneralizedTime {
  const valueDate = new Date(Math.floor(at.getTime() / 1000) * 1000);
  return at.getUTCFullYear() < 2050 ? new asn1js.UTCTime({ valueDate }) : new asn1js.GeneralizedTime({ valueDate });
}

const OID = {
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
};

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

  // Everything that does not depend on the content is prepared once: the key in WebCrypto, the certificates parsed.
  const algorithm = keyAlgorithm(key);
  const cryptoKey = webcrypto.subtle.importKey('pkcs8', key.export({ format: 'der', type: 'pkcs8' }), algorithm, false, ['sign']);
  cryptoKey.catch(() => {}); // a failure surfaces at the first sign(), not as an unhandled rejection
  const unique = [leaf, ...chain].filter((c, i, all) => all.findIndex((o) => o.fingerprint256 === c.fingerprint256) === i);
  const certs = unique.map((c) => pkijs.Certificate.fromBER(c.raw));
  const signerCert = certs[0]!;

  return {
    subject: leaf.subject,
    warnings,
    async sign(content: Buffer, at: Date = new Date()): Promise<Buffer> {
      const attributes = [
        new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: pkijs.ContentInfo.DATA })] }),
        new pkijs.Attribute({ type: OID.signingTime, values: [signingTime(at)] }),
        new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: createHash('sha256').update(content).digest() })] }),
      ];
      // DER orders a SET OF by encoding; verifiers (openssl) re-encode the signed attributes before checking.
      const encoded = new Map(attributes.map((a) => [a, Buffer.from(a.toSchema().toBER())]));
      attributes.sort((a, b) => Buffer.compare(encoded.get(a)!, encoded.get(b)!));

      const signedData = new pkijs.SignedData({
        version: 1,
        encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: pkijs.ContentInfo.DATA }),
        certificates: certs,
        signerInfos: [
          new pkijs.SignerInfo({
            version: 1,
            sid: new pkijs.IssuerAndSerialNumber({ issuer: signerCert.issuer, serialNumber: signerCert.serialNumber }),
            signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes }),
          }),
        ],
      });
      // Set after construction: the constructor would split the content into a constructed (BER) OCTET STRING.
      signedData.encapContentInfo.eContent = new asn1js.OctetString({ valueHex: content });
      await signedData.sign(await cryptoKey, 0, 'SHA-256', undefined, engine);
      const contentInfo = new pkijs.ContentInfo({ contentType: pkijs.ContentInfo.SIGNED_DATA, content: signedData.toSchema() });
      return Buffer.from(contentInfo.toSchema().toBER());
    },
  };
}
