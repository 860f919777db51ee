// Issuer identification number (IIN) ranges and lengths of the card networks, from the networks'
// published rules as summarised in ISO/IEC 7812 overviews (see eval/pii/README.md). A number is a
// card when its leading digits fall in a range AND its length is one the network issues.
//
// Each entry: lowest and highest prefix (same number of digits) and the lengths.

type IinRange = readonly [low: number, high: number, lengths: readonly number[]];

const L16_19 = [16, 17, 18, 19];
const L12_19 = [12, 13, 14, 15, 16, 17, 18, 19];

const RANGES: readonly IinRange[] = [
  [4, 4, [13, 16, 19]], // Visa (incl. Electron, Dankort co-brands)
  [51, 55, [16]], // Mastercard
  [2221, 2720, [16]], // Mastercard 2-series
  [34, 34, [15]], // American Express
  [37, 37, [15]],
  [6011, 6011, L16_19], // Discover
  [644, 649, L16_19],
  [65, 65, L16_19], // Discover, RuPay, Troy co-brands
  [622126, 622925, L16_19], // Discover / UnionPay co-brand
  [300, 305, [14, 16, 17, 18, 19]], // Diners Club International
  [3095, 3095, [14, 16, 17, 18, 19]],
  [36, 36, [14, 16, 17, 18, 19]],
  [38, 39, [16, 17, 18, 19]],
  [3528, 3589, L16_19], // JCB
  [62, 62, L16_19], // UnionPay
  [81, 81, L16_19], // UnionPay 81xx, RuPay
  [82, 82, [16]], // RuPay
  [60, 60, [16]], // RuPay
  [508, 508, [16]], // RuPay
  [353, 353, [16]], // RuPay / JCB co-brand
  [356, 356, [16]],
  [5018, 5018, L12_19], // Maestro
  [5020, 5020, L12_19],
  [5038, 5038, L12_19],
  [5893, 5893, L12_19],
  [6304, 6304, L12_19],
  [6759, 6759, L12_19],
  [6761, 6763, L12_19],
  [676770, 676770, L12_19], // Maestro UK
  [676774, 676774, L12_19],
  [2200, 2204, L16_19], // Mir
  [2205, 2205, [16]], // BORICA
  [9792, 9792, [16]], // Troy
  [1, 1, [15]], // UATP (airline cards)
  [636, 636, L16_19], // InterPayment
  [637, 639, [16]], // InstaPayment
  [5019, 5019, [16]], // Dankort
  [506099, 506198, [16, 18, 19]], // Verve
  [507865, 507964, [16, 18, 19]],
  [650002, 650027, [16, 18, 19]],
  [9860, 9860, [16]], // Humo
  [8600, 8600, [16]], // UzCard
  [357111, 357111, [16]], // LankaPay
];

/** Whether some network issues cards of this length starting with these digits. */
export function matchesIin(digits: string): boolean {
  for (const [low, high, lengths] of RANGES) {
    if (!lengths.includes(digits.length)) continue;
    const width = String(low).length;
    const prefix = Number(digits.slice(0, width));
    if (prefix >= low && prefix <= high) return true;
  }
  return false;
}
