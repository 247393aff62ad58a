/**
 * @module modules/mfa/qr-code
 *
 * Renders the TOTP key URI as an SVG QR code on the server, so the secret never passes through a
 * third-party QR service or a client library the app team has to choose.
 */
import type * as QRCode from 'qrcode';

let loaded: Promise<typeof QRCode> | undefined;

/** Lazy: the encoder takes memory in every process and is needed only for a TOTP enrolment. */
function loadQrCode(): Promise<typeof QRCode> {
  loaded ??= import('qrcode');
  return loaded;
}

/** Error correction `M` (15 %) keeps the code small enough for a 160-bit secret plus issuer and label. */
export async function renderQrCodeSvg(text: string): Promise<string> {
  const qrCode = await loadQrCode();
  return qrCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
