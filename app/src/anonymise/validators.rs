//! Check-digit validators for the structured identifiers.

/// Belgian national register number or BIS number: 11 digits YYMMDD NNN CC.
/// The check is 97 − (first nine digits mod 97); for births from 2000 on a
/// "2" is put before those nine digits. BIS numbers add 20 or 40 to the
/// month. Day and month may be 0 when the birth date is unknown.
pub fn national_id_valid(digits: &str) -> bool {
    let b = digits.as_bytes();
    if b.len() != 11 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let num = |r: std::ops::Range<usize>| digits[r].parse::<u64>().unwrap_or(u64::MAX);
    let month = num(2..4);
    let day = num(4..6);
    let month_ok = month <= 12 || (20..=32).contains(&month) || (40..=52).contains(&month);
    if !month_ok || day > 31 {
        return false;
    }
    let base = num(0..9);
    let check = num(9..11);
    check == 97 - base % 97 || check == 97 - (2_000_000_000 + base) % 97
}

/// IBAN lengths per country (ISO 13616 registry, plus Morocco's RIB form).
pub fn iban_length(country: &str) -> Option<usize> {
    Some(match country {
        "AD" => 24,
        "AE" => 23,
        "AL" => 28,
        "AT" => 20,
        "AZ" => 28,
        "BA" => 20,
        "BE" => 16,
        "BG" => 22,
        "BH" => 22,
        "BR" => 29,
        "CH" => 21,
        "CR" => 22,
        "CY" => 28,
        "CZ" => 24,
        "DE" => 22,
        "DK" => 18,
        "DO" => 28,
        "EE" => 20,
        "EG" => 29,
        "ES" => 24,
        "FI" => 18,
        "FO" => 18,
        "FR" => 27,
        "GB" => 22,
        "GE" => 22,
        "GI" => 23,
        "GL" => 18,
        "GR" => 27,
        "GT" => 28,
        "HR" => 21,
        "HU" => 28,
        "IE" => 22,
        "IL" => 23,
        "IQ" => 23,
        "IS" => 26,
        "IT" => 27,
        "JO" => 30,
        "KW" => 30,
        "KZ" => 20,
        "LB" => 28,
        "LC" => 32,
        "LI" => 21,
        "LT" => 20,
        "LU" => 20,
        "LV" => 21,
        "MA" => 28,
        "MC" => 27,
        "MD" => 24,
        "ME" => 22,
        "MK" => 19,
        "MR" => 27,
        "MT" => 31,
        "MU" => 30,
        "NL" => 18,
        "NO" => 15,
        "PK" => 24,
        "PL" => 28,
        "PS" => 29,
        "PT" => 25,
        "QA" => 29,
        "RO" => 24,
        "RS" => 22,
        "SA" => 24,
        "SC" => 31,
        "SE" => 24,
        "SI" => 19,
        "SK" => 24,
        "SM" => 27,
        "ST" => 25,
        "SV" => 28,
        "TL" => 23,
        "TN" => 24,
        "TR" => 26,
        "UA" => 29,
        "VA" => 22,
        "VG" => 24,
        "XK" => 20,
        _ => return None,
    })
}

/// IBAN without spaces, uppercase: known country, right length, mod 97 = 1.
pub fn iban_valid(iban: &str) -> bool {
    let b = iban.as_bytes();
    if b.len() < 15 || !b.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    if iban_length(&iban[..2]) != Some(b.len()) || !b[2].is_ascii_digit() || !b[3].is_ascii_digit() {
        return false;
    }
    // Check digits run from 02 to 98; 00, 01 and 99 are never issued.
    if matches!(&iban[2..4], "00" | "01" | "99") {
        return false;
    }
    let mut rem: u32 = 0;
    for &c in b[4..].iter().chain(&b[..4]) {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// A phone number's digits (a leading "+" kept) is plausible: Belgian
/// landline 0 + 8 digits, mobile 04 + 8 digits; international 8–15 digits,
/// for +32 the same rules as national.
pub fn phone_valid(digits: &str) -> bool {
    if let Some(intl) = digits.strip_prefix('+') {
        if let Some(be) = intl.strip_prefix("32") {
            return be_national_ok(be);
        }
        return (8..=15).contains(&intl.len());
    }
    match digits.strip_prefix('0') {
        Some(rest) => be_national_ok(rest),
        None => false,
    }
}

/// The national significant number after "0" or "+32".
fn be_national_ok(nsn: &str) -> bool {
    match nsn.len() {
        8 => !nsn.starts_with('0') && !nsn.starts_with('4'),
        9 => nsn.starts_with('4'),
        _ => false,
    }
}
