// Seals a response in the browser: HPKE (RFC 9180) base mode, DHKEM(P-256, HKDF-SHA256),
// HKDF-SHA256, AES-GCM, with WebCrypto only, in the envelope of survey/envelope.py
// (docs/envelope.md): header(15) || enc(65) || ct, the plaintext padded to a size bucket.
const subtle = crypto.subtle;
const text = new TextEncoder();
const KEM = 0x0010, KDF = 0x0001, AEAD = 0x0001;
const KEY_LENGTH = { 1: 16, 2: 32 }; // AES-128-GCM, AES-256-GCM
const BUCKETS = [1024, 2048, 4096, 8192, 16384, 32768, 65536];
const INFO_LABEL = "run-survey envelope v1";

const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
const u16 = (n) => new Uint8Array([n >> 8, n & 255]);
export const fromHex = (hex) => new Uint8Array((hex.match(/../g) || []).map((b) => parseInt(b, 16)));
export const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

async function hmac(key, data) {
  const k = await subtle.importKey("raw", key.length ? key : new Uint8Array(32), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await subtle.sign("HMAC", k, data));
}

async function expand(prk, info, length) {
  let t = new Uint8Array(0), out = new Uint8Array(0);
  for (let i = 1; out.length < length; i++) {
    t = await hmac(prk, concat(t, info, new Uint8Array([i])));
    out = concat(out, t);
  }
  return out.slice(0, length);
}

const labeledExtract = (suite, salt, label, ikm) =>
  hmac(salt, concat(text.encode("HPKE-v1"), suite, text.encode(label), ikm));
const labeledExpand = (suite, prk, label, info, length) =>
  expand(prk, concat(u16(length), text.encode("HPKE-v1"), suite, text.encode(label), info), length);

/** An ephemeral ECDH key pair: fresh, or (tests only) the fixed one given as {sk, pk} bytes. */
async function ephemeral(fixed) {
  if (!fixed) {
    const pair = await subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
    return { privateKey: pair.privateKey, enc: new Uint8Array(await subtle.exportKey("raw", pair.publicKey)) };
  }
  const jwk = { kty: "EC", crv: "P-256", d: b64url(fixed.sk), x: b64url(fixed.pk.slice(1, 33)), y: b64url(fixed.pk.slice(33, 65)) };
  const privateKey = await subtle.importKey("jwk", jwk, { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
  return { privateKey, enc: fixed.pk };
}

/**
 * HPKE SetupBaseS followed by one Seal (sequence number 0, so the nonce is base_nonce).
 * `fixedEphemeral` exists for the RFC 9180 test vectors only; real sealing never passes it.
 * Returns enc, the key schedule outputs and the ciphertext.
 */
export async function sealWithAad(recipientRaw, info, aad, plaintext, aeadId = AEAD, fixedEphemeral = undefined) {
  const keyLength = KEY_LENGTH[aeadId];
  if (!keyLength) throw new Error("unsupported AEAD");
  const kemSuite = concat(text.encode("KEM"), u16(KEM));
  const hpkeSuite = concat(text.encode("HPKE"), u16(KEM), u16(KDF), u16(aeadId));
  const empty = new Uint8Array(0);
  // Steps that do not depend on each other run together (a slow phone waits for each WebCrypto
  // call in turn): the two hashes of the key schedule's context beside the DH.
  const hashes = Promise.all([
    labeledExtract(hpkeSuite, empty, "psk_id_hash", empty),
    labeledExtract(hpkeSuite, empty, "info_hash", info),
  ]);
  const [recipient, { privateKey, enc }] = await Promise.all([
    subtle.importKey("raw", recipientRaw, { name: "ECDH", namedCurve: "P-256" }, false, []),
    ephemeral(fixedEphemeral),
  ]);
  const dh = new Uint8Array(await subtle.deriveBits({ name: "ECDH", public: recipient }, privateKey, 256));
  const eaePrk = await labeledExtract(kemSuite, new Uint8Array(0), "eae_prk", dh);
  const sharedSecret = await labeledExpand(kemSuite, eaePrk, "shared_secret", concat(enc, recipientRaw), 32);
  const [pskIdHash, infoHash] = await hashes;
  const context = concat(new Uint8Array([0]), pskIdHash, infoHash); // mode_base
  const secret = await labeledExtract(hpkeSuite, sharedSecret, "secret", empty);
  const [key, baseNonce] = await Promise.all([
    labeledExpand(hpkeSuite, secret, "key", context, keyLength),
    labeledExpand(hpkeSuite, secret, "base_nonce", context, 12),
  ]);
  const aesKey = await subtle.importKey("raw", key, "AES-GCM", false, ["encrypt"]);
  const ct = new Uint8Array(await subtle.encrypt({ name: "AES-GCM", iv: baseNonce, additionalData: aad }, aesKey, plaintext));
  return { enc, sharedSecret, key, baseNonce, ct };
}

/** len(json) as uint32 || json || zero bytes, up to the smallest bucket that holds it. */
export function pad(data) {
  const size = BUCKETS.find((b) => data.length + 4 <= b);
  if (!size) throw new Error("answers too large");
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, data.length);
  out.set(data, 4);
  return out;
}

/** The key id: the first 8 bytes of SHA-256 over the key's DER SubjectPublicKeyInfo, in hex. */
export async function keyId(recipientRaw) {
  const key = await subtle.importKey("raw", recipientRaw, { name: "ECDH", namedCurve: "P-256" }, true, []);
  const digest = new Uint8Array(await subtle.digest("SHA-256", await subtle.exportKey("spki", key)));
  return toHex(digest.slice(0, 8));
}

/** The version 1 envelope of `plaintext` (bytes) for the survey `surveyUid`, sealed to the key. */
export async function sealEnvelope(publicKeyHex, keyIdHex, surveyUid, plaintext) {
  const recipient = fromHex(publicKeyHex);
  if (recipient.length !== 65) throw new Error("key id does not match the key");
  const header = concat(new Uint8Array([1]), u16(KEM), u16(KDF), u16(AEAD), fromHex(keyIdHex));
  const info = concat(text.encode(INFO_LABEL), new Uint8Array([0]), header, text.encode(surveyUid));
  // The key id is checked while sealing runs; nothing sealed is returned unless it matches.
  const [id, { enc, ct }] = await Promise.all([keyId(recipient), sealWithAad(recipient, info, new Uint8Array(0), pad(plaintext))]);
  if (id !== keyIdHex) throw new Error("key id does not match the key");
  return concat(header, enc, ct);
}
