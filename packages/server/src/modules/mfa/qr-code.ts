/**
 * @module modules/mfa/qr-code
 *
 * Renders the TOTP key URI as an SVG QR code on the server, so the secret never passes through a
 * third-party QR service or a client library the app team has to choose.
 */
import QRCode from 'qrcode';

/** Error correction `M` (15 %) keeps the code small enough for a 160-bit secret plus issuer and label. */
export async function renderQrCodeSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
