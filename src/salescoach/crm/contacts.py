"""Contact import with buying-influence roles: `salescoach contacts import FILE...`.

Reads three kinds of contact export (the kind is told from the header row, only for the report):
- Salesforce Contact / Opportunity Contact Role reports: "Contact: Full Name" (or "First Name" +
  "Last Name"), "Account Name", "Title", "Email", "Role" / "Contact Role";
- HubSpot contacts: "First Name", "Last Name", "Company Name", "Job Title", "Email", "Buying Role"
  (HubSpot's values; a multi-select cell holds several, separated by ";");
- plain CSV: name, account, title, email, role, status, left_on, last_contact.
Headers are matched ignoring case, spaces and punctuation (see ALIASES).

Rules (documented defaults; the vocabulary is frameworks/coaches.json):
- A row needs a name (or first/last name) and an account. The role label maps through `roles` to
  economic | user | technical | coach | procurement | other, or null (unknown label, or a label that
  names no buying influence such as "Executive Sponsor"); `sponsor` labels set is_sponsor. With
  several labels in one cell the first one naming a buying influence sets `role` (a coach label wins,
  because coach candidacy is what the cell adds); the whole cell is kept as `role_raw`.
- status: `statuses.left` words or a left_on date -> "left"; `statuses.active` words -> "active".
- Upsert keyed by (account, name): the account is created when new; an existing contact of that
  account whose name matches ignoring case, spacing and punctuation is updated (so a speaker stored
  from a call, "maria chen", becomes the CRM's "Maria Chen" record). An empty cell never erases a
  stored value.
- A file is atomic: it is read and checked completely first; a missing column, an empty file, a row
  without name/account, a bad date or status raises SalescoachError naming file and line, and
  nothing of that file is written. A good file is written in one transaction, after which stored
  calls without a deal are linked (crm.importer.link_calls), because the new contacts can tell which
  account a call's buyers belong to.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select

from salescoach.crm import parse as P
from salescoach.errors import SalescoachError
from salescoach.frameworks import load
from salescoach.store import models as m
from salescoach.store.models import utcnow
from salescoach.store.repo import Repository

FIELDS = ("name", "first_name", "last_name", "account", "title", "email", "role", "status", "left_on", "last_contact")
ALIASES: dict[str, list[str]] = {
    "name": ["Contact: Full Name", "Full Name", "Contact Name", "Name", "Contact"],
    "first_name": ["First Name", "Contact: First Name", "firstname"],
    "last_name": ["Last Name", "Contact: Last Name", "lastname"],
    "account": ["Account Name", "Contact: Account Name", "Account", "Company Name", "Associated Company", "Company",
                "account"],
    "title": ["Title", "Contact: Title", "Job Title", "jobtitle"],
    "email": ["Email", "Contact: Email", "Email Address"],
    "role": ["Role", "Contact Role", "Opportunity Contact Role: Role", "Contact Role: Role", "Buying Role",
             "hs_buying_role", "Buying Influence"],
    "status": ["Status", "Contact Status", "Employment Status"],
    "left_on": ["left_on", "Left On", "Left Date", "Date Left"],
    "last_contact": ["last_contact", "Last Contact", "Last Contacted", "Last Activity", "Last Activity Date",
                     "Contact: Last Activity", "Last Engagement Date"],
}


class ContactImportError(SalescoachError):
    pass


@dataclass
class ContactRow:
    line: int
    account: str
    name: str
    title: str | None = None
    email: str | None = None
    role_raw: str | None = None
    role: str | None = None
    is_sponsor: bool | None = None
    status: str | None = None
    left_on: date | None = None
    last_contact: date | None = None


@dataclass
class ContactResult:
    path: str
    format: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    roles: int = 0
    unknown_roles: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"path": self.path, "format": self.format, "rows": self.rows, "inserted": self.inserted,
                "updated": self.updated, "roles": self.roles, "unknown_roles": self.unknown_roles}


def _role_index() -> dict[str, dict]:
    return {P.key(k): v for k, v in load("coaches")["roles"].items()}


def map_roles(raw: str | None) -> tuple[str | None, bool | None, list[str]]:
    """(role, is_sponsor, unknown labels) of a role cell (see the module doc)."""
    if not raw:
        return None, None, []
    idx = _role_index()
    roles, sponsor, unknown = [], None, []
    for label in (x.strip() for x in raw.replace("|", ";").split(";")):
        if not label:
            continue
        hit = idx.get(P.key(label))
        if hit is None:
            unknown.append(label)
            continue
        if hit.get("sponsor"):
            sponsor = True
        if hit.get("role"):
            roles.append(hit["role"])
    role = "coach" if "coach" in roles else (roles[0] if roles else None)
    return role, sponsor, unknown


def crm_roles(raw: str | None, stored: str | None = None) -> list[str]:
    """Every buying-influence role a stored role cell names (the stored primary role first)."""
    idx = _role_index()
    out = [stored] if stored else []
    for label in (x.strip() for x in (raw or "").replace("|", ";").split(";")):
        r = (idx.get(P.key(label)) or {}).get("role") if label else None
        if r and r not in out:
            out.append(r)
    return out


def _status(cell: str | None) -> str | None:
    if not cell:
        return None
    st = load("coaches")["statuses"]
    low = " ".join(cell.casefold().split())
    if low in {w.casefold() for w in st["left"]}:
        return "left"
    if low in {w.casefold() for w in st["active"]}:
        return "active"
    raise ValueError(f"status {cell!r} is neither a 'left' word ({', '.join(st['left'][:3])} ...) nor an 'active' "
                     f"word ({', '.join(st['active'])})")


def detect_format(headers: list[str]) -> str:
    keys = {P.key(h) for h in headers}
    if keys & {"buyingrole", "hsbuyingrole", "companyname", "jobtitle", "recordid"}:
        return "hubspot"
    if keys & {"contactfullname", "contactrole", "accountname", "contactid", "opportunitycontactrolerole"}:
        return "salesforce"
    return "csv"


def read_file(path: Path) -> tuple[str, list[ContactRow], dict[str, int]]:
    """(format, rows, unknown role labels) of one contact export; raises ContactImportError on any problem."""
    from salescoach.crm.importer import _read_text, _reader
    try:
        text = _read_text(path)
    except OSError as e:
        raise ContactImportError(f"{path}: cannot read the file: {e.strerror}") from None
    if not text.strip():
        raise ContactImportError(f"{path}: empty file; export the contacts with a header row")
    rd = _reader(text)
    headers = [h for h in (rd.fieldnames or []) if h]
    by_key = {P.key(h): h for h in headers}
    cols = {}
    for f, aliases in ALIASES.items():
        for a in aliases:
            if P.key(a) in by_key:
                cols[f] = by_key[P.key(a)]
                break
    if "name" not in cols and not ("first_name" in cols and "last_name" in cols):
        raise ContactImportError(f"{path}:1: no contact name column (looked for {', '.join(ALIASES['name'][:3])} or "
                                 f"First Name + Last Name); found {', '.join(headers[:8]) or 'nothing'}")
    if "account" not in cols:
        raise ContactImportError(f"{path}:1: no account column (looked for {', '.join(ALIASES['account'][:4])}); "
                                 f"found {', '.join(headers[:8])}")
    fmt = detect_format(headers)
    rows: list[ContactRow] = []
    unknown: dict[str, int] = {}
    line = 1
    for raw in rd:
        start, line = line + 1, rd.line_num
        if None in raw:
            raise ContactImportError(f"{path}:{start}: {len(raw[None])} more cell(s) than the header has; nothing "
                                     "of this file was imported")
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue
        get = lambda f: P.clean(raw.get(cols[f])) if f in cols else None  # noqa: E731
        name = get("name")
        if not name and (get("first_name") or get("last_name")):
            name = " ".join(x for x in (get("first_name"), get("last_name")) if x)
        where = f"{path}:{start}"
        if not name:
            raise ContactImportError(f"{where}: no contact name; fill it in or drop the row (nothing of this file "
                                     "was imported)")
        account = get("account")
        if not account:
            raise ContactImportError(f"{where}: {name} has no account ({cols['account']} is empty); nothing of this "
                                     "file was imported")
        rec = ContactRow(start, " ".join(account.split()), " ".join(name.split()), get("title"), get("email"))
        rec.role_raw = get("role")
        rec.role, rec.is_sponsor, unk = map_roles(rec.role_raw)
        for u in unk:
            unknown[u] = unknown.get(u, 0) + 1
        for f in ("left_on", "last_contact"):
            try:
                setattr(rec, f, P.parse_date(raw.get(cols[f])) if f in cols else None)
            except ValueError as e:
                raise ContactImportError(f"{where}: {cols[f]}: {e}; use YYYY-MM-DD (nothing of this file was "
                                         "imported)") from None
        try:
            rec.status = _status(get("status"))
        except ValueError as e:
            raise ContactImportError(f"{where}: {e}; nothing of this file was imported") from None
        if rec.left_on and rec.status is None:
            rec.status = "left"
        rows.append(rec)
    if not rows:
        raise ContactImportError(f"{path}: no contact rows under the header; nothing to import")
    return fmt, rows, unknown


def import_file(repo: Repository, path: str | Path) -> ContactResult:
    """Import one contact export in one transaction (see the module doc)."""
    from salescoach.crm.importer import link_calls
    path = Path(path)
    fmt, rows, unknown = read_file(path)
    res = ContactResult(str(path), fmt, rows=len(rows), unknown_roles=unknown)
    with repo.session() as s:
        accounts = {P.key(a.name): a for a in s.scalars(select(m.Account))}
        contacts: dict[tuple[int, str], m.Contact] = {}
        seen_new: set[int] = set()
        loaded: set[int] = set()
        for r in rows:
            acc = accounts.get(P.key(r.account))
            if acc is None:
                acc = m.Account(name=r.account)
                s.add(acc)
                s.flush()
                accounts[P.key(r.account)] = acc
            if acc.id not in loaded:
                loaded.add(acc.id)
                for c in s.scalars(select(m.Contact).where(m.Contact.account_id == acc.id)):
                    contacts.setdefault((acc.id, P.key(c.name)), c)
            c = contacts.get((acc.id, P.key(r.name)))
            if c is None:
                c = m.Contact(account_id=acc.id, name=r.name)
                s.add(c)
                s.flush()
                contacts[(acc.id, P.key(r.name))] = c
                seen_new.add(c.id)
                res.inserted += 1
            elif c.id not in seen_new:
                res.updated += 1
                c.name = r.name
            if r.title:
                c.title = r.title
            if r.email:
                c.email = r.email
            cr = s.get(m.ContactRole, c.id)
            if cr is None:
                cr = m.ContactRole(contact_id=c.id)
                s.add(cr)
            if r.role_raw:
                cr.role_raw, cr.role = r.role_raw, r.role
                if r.is_sponsor is not None or cr.is_sponsor is None:
                    cr.is_sponsor = bool(r.is_sponsor)
                res.roles += 1
            for f in ("status", "left_on", "last_contact"):
                v = getattr(r, f)
                if v is not None:
                    setattr(cr, f, v)
            cr.source = f"{fmt}:{path.name}:{r.line}"
            cr.updated_at = utcnow()
        s.flush()
        link_calls(s)
    return res
