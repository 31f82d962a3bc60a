"""Reading CRM cell values: money, dates, percentages, stages, forecast categories, names.

Definitions (each parser raises ValueError with a short reason on a value it cannot read; an empty
cell is None, never an error):

- money: "$1,200.50", "1.200,50 €", "EUR 1 200,50", "1200", "(300)" (negative). Currency symbols and
  ISO codes are removed (and returned). Separators: when both "." and "," occur, the last one is
  the decimal mark; a lone "," followed by exactly three digits groups thousands ("1,200" = 1200),
  otherwise it is the decimal mark ("12,5"); a lone "." is the decimal mark unless several occur
  ("1.200.000") or the caller says the decimal mark is "," (mapping `decimal: ","`).
- dates: ISO ("2017-03-01", with or without a time), and day/month/year forms with "/", "." or
  "-". With "/" a US export (Salesforce) reads month/day/year unless the first number is above 12;
  "." reads day.month.year. A mapping may give `date_format` (strptime) to remove all doubt.
- stage: the CRM label is matched against frameworks/crm.json `stage_labels` after lower-casing and
  squeezing punctuation; a label matching no list is kept as `stage_raw` with canonical stage
  "open" (an unknown open stage), so an unfamiliar pipeline still imports. Labels containing
  "won"/"lost" words ("Closed Won - Renewal") still close the deal.
- probability: "60", "60%", "0.6" -> 0.6.
- forecast category: frameworks/crm.json `forecast_categories`; unknown labels -> None.
- names: product / rep / account keys ignore case, spaces and punctuation, so the pipeline's
  "GTXPro" is the product list's "GTX Pro".
"""
from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from salescoach.frameworks import load

_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "CHF": "CHF", "R$": "BRL"}
_CODE = re.compile(r"\b(USD|EUR|GBP|JPY|CHF|CAD|AUD|NZD|SEK|NOK|DKK|INR|BRL|MXN|PLN|CZK|ZAR|SGD|HKD|CNY)\b", re.I)
_SPACES = re.compile(r"[\s\u00a0\u202f'’]")
_NUM = re.compile(r"^-?\d+(\.\d+)?$")


def key(name: str | None) -> str:
    """Matching key of a name: lower case letters and digits only ("GTX Pro" == "GTXPro")."""
    return re.sub(r"[^0-9a-z]", "", (name or "").casefold())


def clean(v) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def parse_money(v, decimal: str | None = None) -> tuple[float | None, str | None]:
    """(amount, ISO currency or None); (None, None) for an empty cell."""
    s = clean(v)
    if s is None:
        return None, None
    cur = None
    m = _CODE.search(s)
    if m:
        cur = m.group(1).upper()
        s = s[:m.start()] + s[m.end():]
    for sym, code in sorted(_CURRENCY_SYMBOLS.items(), key=lambda kv: -len(kv[0])):
        if sym in s:
            cur = cur or code
            s = s.replace(sym, "")
    s = _SPACES.sub("", s)
    neg = False
    if s.startswith("(") and s.endswith(")"):
        neg, s = True, s[1:-1]
    if s.startswith("-"):
        neg, s = not neg, s[1:]
    if s.endswith("-"):
        neg, s = not neg, s[:-1]
    if not s or not re.fullmatch(r"[\d.,]+", s):
        raise ValueError(f"not an amount: {v!r}")
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        dec = "." if s.rfind(".") > s.rfind(",") else ","
    elif commas:
        dec = "," if (decimal == "," or (commas == 1 and not re.search(r",\d{3}$", s))) else None
        if commas == 1 and decimal == "." :
            dec = None
    elif dots:
        dec = None if (dots > 1 or (decimal == "," and re.search(r"\.\d{3}$", s))) else "."
    else:
        dec = None
    thousands = {".", ","} - {dec}
    for t in thousands:
        s = s.replace(t, "")
    if dec == ",":
        s = s.replace(",", ".")
    if not _NUM.match(s):
        raise ValueError(f"not an amount: {v!r}")
    x = float(s)
    return (-x if neg else x), cur


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_DMY = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2,4})(?:[ T].*)?$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T].*)?$")


def parse_date(v, fmt: str | None = None, us: bool = True) -> date | None:
    """A calendar date (see the module doc); None for an empty cell."""
    s = clean(v)
    if s is None:
        return None
    if fmt:
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            raise ValueError(f"date {v!r} does not match {fmt!r}") from None
    try:
        m = _ISO.match(s) or _YMD_SLASH.match(s)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _DMY.match(s)
        if m:
            a, sep, b, y = int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
            if y < 100:
                y += 2000 if y < 70 else 1900
            if sep == "." or a > 12 or not us:
                d, mo = (a, b) if (a > 12 or sep == "." or not us) and b <= 12 else (b, a)
            else:
                mo, d = a, b
            return date(y, mo, d)
        if re.fullmatch(r"\d{10,13}", s):  # HubSpot API exports: epoch milliseconds
            n = int(s)
            return datetime.utcfromtimestamp(n / 1000 if n > 10**11 else n).date()
    except ValueError:
        pass
    raise ValueError(f"not a date: {v!r}")


def parse_probability(v) -> float | None:
    s = clean(v)
    if s is None:
        return None
    s = s.rstrip("%").strip().replace(",", ".")
    try:
        x = float(s)
    except ValueError:
        raise ValueError(f"not a probability: {v!r}") from None
    if x > 1 or "%" in str(v):
        x /= 100
    if not 0 <= x <= 1:
        raise ValueError(f"probability out of range: {v!r}")
    return x


def _label(s: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z/ ]", " ", s.casefold()).split())


@lru_cache(maxsize=1)
def _stage_index() -> dict[str, str]:
    fw = load("crm")
    out = {}
    for stage, labels in fw["stage_labels"].items():
        for lab in labels:
            out[_label(lab)] = stage
            out[key(lab)] = stage
    return out


_stage_cache: dict[tuple, str] = {}


def canonical_stage(raw: str | None, extra: dict | None = None) -> str:
    """The canonical stage of a CRM stage label ("open" when unknown). `extra`: mapping overrides."""
    s = clean(raw)
    if s is None:
        return "open"
    if extra:
        for k, v in extra.items():
            if _label(k) == _label(s):
                return v
    ck = s
    hit = _stage_cache.get(ck)
    if hit:
        return hit
    idx = _stage_index()
    lab = _label(s)
    st = idx.get(lab) or idx.get(key(s))
    if st is None:
        words = set(lab.replace("/", " ").split())
        st = "won" if "won" in words else "lost" if "lost" in words else "open"
    if len(_stage_cache) < 10000:
        _stage_cache[ck] = st
    return st


def stage_info(stage: str) -> dict:
    st = load("crm")["stages"]
    return st.get(stage) or st["open"]


@lru_cache(maxsize=1)
def stage_orders() -> dict[str, int]:
    """{stage: pipeline order} (unknown stages: the order of "open")."""
    return {k: v["order"] for k, v in load("crm")["stages"].items()}


def is_open(stage: str) -> bool:
    return stage not in ("won", "lost")


def canonical_forecast_category(raw: str | None) -> str | None:
    s = clean(raw)
    if s is None:
        return None
    lab = _label(s)
    for cat, labels in load("crm")["forecast_categories"].items():
        if lab in {_label(x) for x in labels} or key(s) in {key(x) for x in labels}:
            return cat
    return None


def fix_sector(s: str | None) -> str | None:
    s = clean(s)
    if s is None:
        return None
    low = s.casefold()
    return load("crm")["sector_fixes"].get(low, low)
