"""Make a realistic contact chart of N people, for benchmarks.

    python benchmarks/generate.py 10000 /tmp/chart-10k.xlsx [--seed 1] [--fresh]

The workbook starts from the package's own ``workbook_tool.create.new_workbook()``
(the layout ``chart init`` writes: styled headers, dropdowns, frozen header,
Want to Meet and Profile sheets), so every command under test sees the sheets and
headers a real user has. Rows are then appended in bulk.

The mix follows a job search a few months in, seen on 2026-11-25 (run the
commands with ``--today 2026-11-25``):

* names from a mixed pool, some with accents or in other scripts, all distinct;
* Source Own / Family / Friend / Referral, with Via for family and friends and
  Referred By pointing at an earlier row, so referral chains run several deep;
* organizations, titles, valid US numbers written as text in the usual ways
  (212/415/617-555-01xx, 617-253-xxxx …, a few abroad), emails;
* Channel, a few closing Statuses, real date cells in a plausible order
  (contacted, meeting, thanked, followed up), notes (some on several lines),
  Helpful for thanked contacts;
* Recommended cells on about 5% of rows, naming people already in the chart
  and new people (with email, phone and organization), so ``chart sync`` adds rows;
* a small share of mistakes a person makes (a bad email, "Frend", an unreadable
  date, neither phone nor email), so ``validate`` has something to report;
* a Want to Meet list (one row per 50 contacts) and a filled Profile sheet.

``--fresh`` makes the chart of someone who has just listed everyone: nobody
contacted yet, every contact reachable by email — N outreach emails to draft.

The same N, seed and flags always give the same cell values.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
import unicodedata
from pathlib import Path

TODAY = dt.date(2026, 11, 25)
SEARCH_START = dt.date(2025, 12, 1)

# (as written, as an email would spell it)
FIRST_NAMES = [
    ("Maria", "maria"), ("James", "james"), ("Ann", "ann"), ("Robert", "robert"), ("Priya", "priya"),
    ("David", "david"), ("Elena", "elena"), ("Michael", "michael"), ("Grace", "grace"), ("Carlos", "carlos"),
    ("Olivia", "olivia"), ("Hiro", "hiro"), ("Isabel", "isabel"), ("Frank", "frank"), ("Sue", "sue"),
    ("Aisha", "aisha"), ("Kwame", "kwame"), ("Fatima", "fatima"), ("Liam", "liam"), ("Noah", "noah"),
    ("Emma", "emma"), ("Sophia", "sophia"), ("Mateo", "mateo"), ("Lucas", "lucas"), ("Amelia", "amelia"),
    ("Ethan", "ethan"), ("Mia", "mia"), ("Benjamin", "benjamin"), ("Charlotte", "charlotte"), ("Daniel", "daniel"),
    ("Harper", "harper"), ("Samuel", "samuel"), ("Ava", "ava"), ("Henry", "henry"), ("Chloe", "chloe"),
    ("Omar", "omar"), ("Yusuf", "yusuf"), ("Leila", "leila"), ("Ravi", "ravi"), ("Anjali", "anjali"),
    ("Wei", "wei"), ("Mei", "mei"), ("Jun", "jun"), ("Yuki", "yuki"), ("Kenji", "kenji"),
    ("Min-jun", "minjun"), ("Seo-yeon", "seoyeon"), ("Thabo", "thabo"), ("Chiamaka", "chiamaka"), ("Tomás", "tomas"),
    ("José", "jose"), ("Zoë", "zoe"), ("Renée", "renee"), ("François", "francois"), ("Björn", "bjorn"),
    ("Søren", "soren"), ("Łukasz", "lukasz"), ("Siobhán", "siobhan"), ("Ayşe", "ayse"), ("Nguyễn Thị", "thi"),
    ("Dmitri", "dmitri"), ("Анна", "anna"), ("Дмитрий", "dmitriy"), ("Γιώργος", "giorgos"), ("王", "wang"),
    ("李娜", "lina"), ("さくら", "sakura"), ("Jürgen", "jurgen"), ("Inés", "ines"), ("Małgorzata", "malgorzata"),
    ("Aoife", "aoife"), ("Niamh", "niamh"), ("Oluwaseun", "oluwaseun"), ("Diego", "diego"), ("Camila", "camila"),
    ("Valentina", "valentina"), ("Gabriel", "gabriel"), ("Hannah", "hannah"), ("Jacob", "jacob"), ("Ella", "ella"),
    ("Alexander", "alexander"), ("Victoria", "victoria"), ("Sebastian", "sebastian"), ("Lily", "lily"),
    ("Jack", "jack"), ("Nora", "nora"), ("Owen", "owen"), ("Zara", "zara"), ("Arjun", "arjun"), ("Sanjay", "sanjay"),
    ("Deepa", "deepa"), ("Tariq", "tariq"), ("Nadia", "nadia"), ("Ibrahim", "ibrahim"), ("Rosa", "rosa"),
    ("Pedro", "pedro"), ("Lucía", "lucia"), ("Andrés", "andres"), ("Marta", "marta"), ("Paul", "paul"),
    ("Karen", "karen"), ("Steven", "steven"), ("Linda", "linda"), ("Thomas", "thomas"), ("Susan", "susan"),
]
LAST_NAMES = [
    ("Chen", "chen"), ("Lee", "lee"), ("Roe", "roe"), ("Park", "park"), ("Miller", "miller"), ("Diaz", "diaz"),
    ("Natarajan", "natarajan"), ("Tanaka", "tanaka"), ("Osei", "osei"), ("Grant", "grant"), ("Kim", "kim"),
    ("Petrova", "petrova"), ("Liu", "liu"), ("Smith", "smith"), ("Johnson", "johnson"), ("Williams", "williams"),
    ("Brown", "brown"), ("Jones", "jones"), ("Garcia", "garcia"), ("Martinez", "martinez"), ("Rodriguez", "rodriguez"),
    ("Hernández", "hernandez"), ("López", "lopez"), ("González", "gonzalez"), ("Wilson", "wilson"),
    ("Anderson", "anderson"), ("Thomas", "thomas"), ("Taylor", "taylor"), ("Moore", "moore"), ("Jackson", "jackson"),
    ("Martin", "martin"), ("Thompson", "thompson"), ("White", "white"), ("Harris", "harris"), ("Clark", "clark"),
    ("Lewis", "lewis"), ("Robinson", "robinson"), ("Walker", "walker"), ("Young", "young"), ("Allen", "allen"),
    ("King", "king"), ("Wright", "wright"), ("Scott", "scott"), ("Nguyen", "nguyen"), ("Patel", "patel"),
    ("Shah", "shah"), ("Singh", "singh"), ("Kumar", "kumar"), ("Iyer", "iyer"), ("Reddy", "reddy"),
    ("Okafor", "okafor"), ("Mensah", "mensah"), ("Adeyemi", "adeyemi"), ("Haddad", "haddad"), ("Khan", "khan"),
    ("Rahman", "rahman"), ("Yilmaz", "yilmaz"), ("Öztürk", "ozturk"), ("Müller", "muller"), ("Schäfer", "schafer"),
    ("Dvořák", "dvorak"), ("Nowak", "nowak"), ("Kowalski", "kowalski"), ("Novák", "novak"), ("Horvát", "horvat"),
    ("O'Brien", "obrien"), ("O'Connor", "oconnor"), ("MacDonald", "macdonald"), ("Murphy", "murphy"),
    ("Kelly", "kelly"), ("Sato", "sato"), ("Suzuki", "suzuki"), ("Watanabe", "watanabe"), ("Yamamoto", "yamamoto"),
    ("Wang", "wang"), ("Zhang", "zhang"), ("Huang", "huang"), ("Zhao", "zhao"), ("Wu", "wu"), ("Choi", "choi"),
    ("Jung", "jung"), ("Kang", "kang"), ("Fernández", "fernandez"), ("Silva", "silva"), ("Santos", "santos"),
    ("Costa", "costa"), ("Ferreira", "ferreira"), ("Rossi", "rossi"), ("Russo", "russo"), ("Bianchi", "bianchi"),
    ("Dubois", "dubois"), ("Lefèvre", "lefevre"), ("Moreau", "moreau"), ("Janssen", "janssen"), ("de Vries", "devries"),
    ("Andersson", "andersson"), ("Johansson", "johansson"), ("Nielsen", "nielsen"), ("Virtanen", "virtanen"),
    ("Иванов", "ivanov"), ("Παπαδόπουλος", "papadopoulos"), ("王", "wang"), ("山田", "yamada"), ("Nakamura", "nakamura"),
]
ORG_WORDS = [
    "Contoso", "Fabrikam", "Northwind", "Woodgrove", "Litware", "Proseware", "Adatum", "Relecloud", "Tailspin",
    "Blue Yonder", "Trey", "Wingtip", "Alpine Ski", "Coho", "Fourth Coffee", "Lamna", "Margie's", "Humongous",
    "Wide World", "Graphic Design", "Southridge", "Consolidated", "Lucerne", "Datum", "Bellows", "Munson's",
    "Café Olé", "Müller & Söhne", "São Paulo", "Zürich", "Nordlicht", "Kaiyō", "Østerby", "Acme", "Globex",
    "Initech", "Umbrella", "Vandelay", "Hooli", "Stark", "Wayne", "Pied Piper", "Soylent", "Cyberdyne",
]
ORG_KINDS = [
    "Logistics", "Health", "Clinic", "Bank", "Insurance", "Analytics", "Labs", "Systems", "Foods", "Airlines",
    "Research", "Partners", "Hospital", "University", "Energy", "Retail", "Media", "Software", "Capital", "Pharma",
]
ORG_SUFFIXES = ["", "", "", " Inc.", " LLC", ", Inc.", " Group", " GmbH", " S.A."]
TITLES = [
    "Operations Manager", "Director of Analytics", "Analytics Lead", "Data Platform Manager", "VP, Human Resources",
    "Risk Analytics Manager", "Data Engineering Manager", "Senior Analyst", "Supply Chain Director",
    "Head of Business Intelligence", "Data Analyst", "Former manager", "Analytics Director", "Recruiter",
    "Talent Acquisition Partner", "Software Engineer", "Product Manager", "Chief Data Officer", "Data Scientist",
    "Nurse Manager", "Controller", "Professor", "Consultant", "Founder", "Hiring Manager", "Team Lead",
    "Machine Learning Engineer", "Director, Revenue Cycle", "Program Manager", "HR Business Partner",
]
FAMILY_VIA = ["Mom", "Dad", "Aunt Sue", "Uncle Raj", "Grandma", "my sister Ana", "my brother Tom", "Cousin Lea",
              "my father-in-law", "Tía Carmen"]
NOTE_PARTS = [
    "Former colleague.", "Met at the analytics meetup.", "Classmate from the data bootcamp.", "Left a voicemail.",
    "Coffee at their office.", "Agreed to a call next week.", "Very friendly; busy until January.",
    "Their team uses dbt and Power BI.", "Hospitals are hiring analysts for supply chain.", "No answer yet.",
    "Ask about the move into analytics.", "Talked for half an hour about how HR reads résumés.",
    "Suggested I look at revenue-cycle teams.", "Knows the hiring manager at Northwind.", "Out of office until the 3rd.",
    "Prefers email to calls.", "Said to mention the forecasting dashboard.", "Will forward my résumé internally.",
]
HELPFUL = [
    "your advice to look at hospital supply-chain teams, not only tech companies",
    "the tip to show a hospital-inventory dashboard in my portfolio",
    "how to lead my resume with outcomes instead of tools", "the reference letter",
    "the list of meetups worth attending", "your view of which skills are in demand this year",
    "the suggestion to write short case studies of my projects", "your introduction to the analytics team",
    "the advice to ask for 20 minutes, not an hour", "the names of three recruiters who specialize in analytics",
]
WANT_ROLES = ["Head of Analytics", "Supply-chain analyst", "Director of Data", "Anyone in hospital revenue-cycle analytics",
              "Hiring manager for analysts", "Chief Data Officer", "A recruiter who places analysts"]
# Area code and exchange pairs that phonenumbers accepts; the line number is added.
PHONE_BLOCKS = [("617", "253"), ("617", "324"), ("617", "495"), ("212", "998"), ("212", "854"), ("415", "476"),
                ("415", "502"), ("312", "496"), ("206", "543"), ("512", "471"), ("303", "492"), ("404", "727"),
                ("202", "994"), ("305", "284"), ("503", "725"), ("646", "253"), ("718", "951"), ("213", "740")]
BAD_DATES = ["next Tuesday", "31/31/2026", "sometime in Oct", "2026-13-01"]


_NO_DECOMPOSITION = str.maketrans({"ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE", "ł": "l", "Ł": "L",
                                   "đ": "d", "Đ": "D", "ı": "i"})


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_NO_DECOMPOSITION))
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


class People:
    """Distinct names, phone numbers and email addresses, drawn from the pools above."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.names: set[str] = set()
        self.phones: set[str] = set()
        self.emails: set[str] = set()
        self.orgs = self._organizations()

    def _organizations(self) -> list[tuple[str, str]]:
        orgs = []
        for word in ORG_WORDS:
            for kind in ORG_KINDS:
                name = f"{word} {kind}{self.rng.choice(ORG_SUFFIXES)}"
                orgs.append((name, f"{_ascii(word).lower()}{_ascii(kind).lower()}"))
        self.rng.shuffle(orgs)
        # Most people work at a few hundred places; a long tail works elsewhere.
        return orgs

    def organization(self) -> tuple[str, str]:
        orgs = self.orgs
        index = int(self.rng.paretovariate(1.2)) - 1
        return orgs[index % len(orgs)] if self.rng.random() < 0.8 else self.rng.choice(orgs)

    def name(self) -> tuple[str, str, str]:
        """(full name, ascii first, ascii last); a middle initial, then a number, keeps names distinct."""
        rng = self.rng
        while True:
            first, first_ascii = rng.choice(FIRST_NAMES)
            last, last_ascii = rng.choice(LAST_NAMES)
            full = f"{first} {last}"
            if full in self.names:
                initial = chr(65 + rng.randrange(26))
                full = f"{first} {initial}. {last}"
                if full in self.names:
                    continue
                first_ascii = f"{first_ascii}.{initial.lower()}"
            self.names.add(full)
            return full, first_ascii, last_ascii

    def phone(self) -> str:
        import phonenumbers

        rng = self.rng
        while True:
            roll = rng.random()
            if roll < 0.03:
                text = f"+44 20 7946 0{rng.randrange(1000):03d}"  # Ofcom's drama range
            elif roll < 0.15:
                area = rng.choice(["212", "415", "617", "312", "206", "646"])
                text = f"{area}-555-01{rng.randrange(100):02d}"
            else:
                area, exchange = rng.choice(PHONE_BLOCKS)
                line = f"{rng.randrange(10000):04d}"
                style = rng.random()
                if style < 0.55:
                    text = f"{area}-{exchange}-{line}"
                elif style < 0.8:
                    text = f"({area}) {exchange}-{line}"
                elif style < 0.92:
                    text = f"{area}.{exchange}.{line}"
                else:
                    text = f"+1 {area} {exchange} {line}"
            key = "".join(ch for ch in text if ch.isdigit())
            if key in self.phones:
                continue
            number = phonenumbers.parse(text, "US")
            if not phonenumbers.is_valid_number(number):
                continue
            self.phones.add(key)
            return text

    def email(self, first: str, last: str, domain: str) -> str:
        rng = self.rng
        style = rng.random()
        local = f"{first}.{last}" if style < 0.6 else f"{first[0]}{last}" if style < 0.85 else f"{first}{last[:1]}"
        tld = rng.choice([".com", ".com", ".com", ".org", ".io", ".co.uk", ".de"])
        address = f"{local}@{domain}{tld}"
        n = 2
        while address.casefold() in self.emails:
            address = f"{local}{n}@{domain}{tld}"
            n += 1
        self.emails.add(address.casefold())
        return address


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max((end - start).days, 1)))


def make_rows(n: int, seed: int = 1, fresh: bool = False) -> tuple[list[dict], list[dict]]:
    """The Contacts rows (dicts keyed by schema column key) and the Want to Meet rows."""
    rng = random.Random(seed)
    people = People(rng)
    rows: list[dict] = []
    referral_rows: list[int] = []
    referred: dict[int, list[int]] = {}  # row index → the rows it referred
    for i in range(n):
        name, first_ascii, last_ascii = people.name()
        org, domain = people.organization()
        row: dict = {"name": name, "organization": org, "title": rng.choice(TITLES)}
        roll = rng.random()
        if i == 0 or roll < 0.35:
            row["source"] = "Own"
        elif roll < 0.50:
            row["source"] = "Family"
            row["via"] = rng.choice(FAMILY_VIA)
        elif roll < 0.70:
            row["source"] = "Friend"
            row["via"] = rows[rng.randrange(i)]["name"].split(" ")[0] if rng.random() < 0.5 else \
                rng.choice(FIRST_NAMES)[0] + " " + rng.choice(LAST_NAMES)[0]
        else:
            row["source"] = "Referral"
            # Half the time the referrer is a referral too: chains grow several deep.
            if referral_rows and rng.random() < 0.5:
                parent = referral_rows[rng.randrange(max(0, len(referral_rows) - 200), len(referral_rows))]
            else:
                parent = rng.randrange(i)
            row["referred_by"] = rows[parent]["name"]
            referred.setdefault(parent, []).append(i)
            referral_rows.append(i)

        has_email = fresh or rng.random() < 0.85
        has_phone = rng.random() < (0.6 if fresh else 0.75)
        if not has_email and not has_phone and rng.random() < 0.9:
            has_phone = True  # about 1.5% keep neither: validate warns about them
        if has_email:
            row["email"] = people.email(first_ascii, last_ascii, domain)
        if has_phone:
            row["phone"] = people.phone()
        if fresh:
            row["channel"] = "Email"
        elif has_email and has_phone:
            row["channel"] = rng.choice(["Email", "Email", "Call"])
        elif has_email:
            row["channel"] = "Email"
        elif has_phone:
            row["channel"] = "Call"

        if not fresh:
            _add_progress(rng, row)
        if rng.random() < 0.6:
            parts = rng.sample(NOTE_PARTS, rng.randint(1, 3))
            row["notes"] = ("\n" if rng.random() < 0.2 else " ").join(parts)
        if not fresh:
            _add_mistakes(rng, row)
        rows.append(row)

    if not fresh:
        _add_recommended(rng, people, rows, referred)
    want = _want_to_meet(rng, people, rows)
    return rows, want


def _add_progress(rng: random.Random, row: dict) -> None:
    """Dates in a plausible order, and now and then a closing Status."""
    roll = rng.random()
    if roll < 0.30:
        return  # not contacted yet
    contacted = _day(rng, SEARCH_START, TODAY)
    row["contacted_on"] = contacted
    if rng.random() < 0.55:
        meeting = contacted + dt.timedelta(days=rng.randint(2, 21))
        row["meeting_on"] = meeting
        if meeting < TODAY and rng.random() < 0.75:
            thanked = meeting + dt.timedelta(days=rng.choice([0, 1, 1, 1, 2, 3]))
            row["thanked_on"] = min(thanked, TODAY)
            if rng.random() < 0.9:
                row["helpful"] = rng.choice(HELPFUL)
            if rng.random() < 0.25:
                row["followed_up_on"] = min(thanked + dt.timedelta(days=rng.randint(30, 90)), TODAY)
    elif rng.random() < 0.3:
        row["followed_up_on"] = min(contacted + dt.timedelta(days=rng.randint(7, 14)), TODAY)
    status = rng.random()
    if status < 0.03:
        row["status"] = "Declined"
    elif status < 0.06:
        row["status"] = "No Reply"
    elif status < 0.07:
        row["status"] = "On Hold"
    elif status < 0.08:
        row["status"] = "Done"


def _add_mistakes(rng: random.Random, row: dict) -> None:
    roll = rng.random()
    if roll < 0.003 and "email" in row:
        row["email"] = row["email"].rsplit(".", 1)[0]  # no top-level domain
    elif roll < 0.005:
        row["source"] = "Frend"
    elif roll < 0.007:
        row["contacted_on"] = rng.choice(BAD_DATES)


def _add_recommended(rng: random.Random, people: People, rows: list[dict], referred: dict[int, list[int]]) -> None:
    """Recommended cells on about 5% of rows: the people they referred, and new people."""
    want = max(1, len(rows) // 20)
    # Contacts who referred someone recommended them; then a few more name only new people.
    chosen = [i for i in referred if "thanked_on" in rows[i] or "meeting_on" in rows[i]]
    rng.shuffle(chosen)
    chosen = chosen[:want]
    others = [i for i, r in enumerate(rows) if "thanked_on" in r and i not in referred]
    rng.shuffle(others)
    chosen += others[: max(0, want - len(chosen))]
    for i in chosen:
        entries = []
        for j in referred.get(i, [])[:3]:
            other = rows[j]
            if rng.random() < 0.5 and "email" in other:
                entries.append(f"{other['name']} <{other['email']}>")
            else:
                entries.append(other["name"])
        for _ in range(rng.choice([0, 1, 1, 2])):
            name, first, last = people.name()
            org, domain = people.organization()
            parts = [name]
            if rng.random() < 0.7:
                parts[0] += f" <{people.email(first, last, domain)}>"
            if rng.random() < 0.4:
                parts.append(people.phone())
            parts.append(org)
            entries.append(", ".join(parts))
        if entries:
            rows[i]["recommended"] = ("\n" if rng.random() < 0.5 else "; ").join(entries)


def _want_to_meet(rng: random.Random, people: People, rows: list[dict]) -> list[dict]:
    want = []
    for _ in range(max(4, len(rows) // 50)):
        org, _domain = people.organization()
        roll = rng.random()
        if roll < 0.3 and rows:
            row = rng.choice(rows)
            entry = {"name": row["name"], "organization": row["organization"]}
        elif roll < 0.6:
            entry = {"name": rng.choice(WANT_ROLES), "organization": org}
        else:
            entry = {"name": people.name()[0], "organization": org}
        entry["why"] = rng.choice(["Runs the team I would most like to join", "Built their data platform",
                                   "To hear how they use forecasting", "A field close to mine"])
        if rng.random() < 0.3 and rows:
            entry["connector"] = rng.choice(rows)["name"]
        want.append(entry)
    return want


def build_workbook(n: int, seed: int = 1, fresh: bool = False):
    """An openpyxl workbook: ``chart init``'s layout, filled with ``n`` generated contacts."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    from workbook_tool import schema
    from workbook_tool.create import new_workbook
    from workbook_tool.sample import PROFILE

    rows, want = make_rows(n, seed, fresh)
    wb = new_workbook(sample=False)
    _append(wb[schema.CONTACTS.name], schema.CONTACTS, rows, Alignment, get_column_letter)
    _append(wb[schema.WANT_TO_MEET.name], schema.WANT_TO_MEET, want, Alignment, get_column_letter)

    profile = wb[schema.PROFILE_SHEET.name]
    for r, spec in enumerate(schema.PROFILE_FIELDS, start=2):
        value = PROFILE.get(spec.key, spec.default)
        profile.cell(row=r, column=2, value=value)
    return wb


def _append(ws, shape, rows: list[dict], Alignment, get_column_letter) -> None:
    """Write the rows below the header, cell by cell, as _fill_table does for ``init --sample``.

    Not ``ws.append``: the layout's frozen pane touches row 2, so append would start at row 3.
    """
    columns = list(shape.user_columns)
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, record in enumerate(rows, start=2):
        for c, column in enumerate(columns, start=1):
            value = record.get(column.key)
            if value is None:
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str) and "\n" in value:
                cell.alignment = wrap
            if column.number_format == "@":
                cell.number_format = "@"  # typed into a text-formatted column
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 2)}"


def generate(n: int, out, seed: int = 1, fresh: bool = False) -> Path:
    """Write a chart of ``n`` contacts to ``out``; returns the path."""
    out = Path(out)
    build_workbook(n, seed, fresh).save(out)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of contacts (1000, 10000, 100000)")
    parser.add_argument("out", help="the .xlsx file to write (replaced if it exists)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--fresh", action="store_true",
                        help="nobody contacted yet, everyone with an email: N outreach emails to draft")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("n must be at least 1")
    started = time.perf_counter()
    path = generate(args.n, args.out, args.seed, args.fresh)
    print(f"Wrote {args.n} contacts to {path} ({path.stat().st_size / 1024**2:.1f} MiB) in "
          f"{time.perf_counter() - started:.1f} s.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
