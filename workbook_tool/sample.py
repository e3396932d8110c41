"""The example chart written by ``chart init --sample`` (and committed as sample_chart.xlsx).

Jordan Rivera, a data analyst laid off in October 2026, is four weeks into a search
run by the guide. Dates are fixed (around 2026-11-25) so the file is the same every
time it is made; run ``chart sync --today 2026-11-25`` to see every stage:
not yet contacted, awaiting a reply (one overdue), a meeting ahead and one today,
met but not thanked, thanked with referrals, and closed contacts. Two referral
chains: Maria Chen → Ann Lee → Bob Roe, and Sue Miller → Carlos Diaz.
"""

from datetime import date, datetime

PROFILE = {
    "your_name": "Jordan Rivera",
    "your_email": "jordan.rivera@outlook.com",
    "your_phone": "617-555-0100",
    "job_status": "a data analyst, recently laid off when Contoso Logistics closed its Boston office",
    "expertise": "supply-chain analytics, SQL and forecasting dashboards",
    "seeking": "a data analyst or analytics engineer position in healthcare operations",
    "why_searching": "I want to bring my forecasting work to hospitals, where supply problems hurt patients",
    "region": "US",
    "meeting_length": "15–20 minutes",
    "follow_up_days": 7,
    "thank_you_days": 1,
    "keep_in_touch_days": 60,
    "signature": "Jordan Rivera\n617-555-0100\nlinkedin.com/in/jordan-rivera-data",
}

CONTACTS = [
    {"name": "Maria Chen", "source": "Own", "organization": "Contoso Logistics", "title": "Operations Manager",
     "phone": "617-555-0101", "email": "maria.chen@contoso.com", "channel": "Email",
     "contacted_on": date(2026, 11, 2), "meeting_on": date(2026, 11, 10), "thanked_on": date(2026, 11, 11),
     "notes": "Former colleague. Coffee at her office; hospitals are hiring analysts for supply chain.",
     "helpful": "your advice to look at hospital supply-chain teams, not only tech companies",
     "recommended": "Ann Lee <ann.lee@fabrikamhealth.org>, Fabrikam Health"},
    {"name": "Ann Lee", "source": "Referral", "referred_by": "Maria Chen", "organization": "Fabrikam Health",
     "title": "Director of Analytics", "email": "ann.lee@fabrikamhealth.org", "channel": "Email",
     "contacted_on": date(2026, 11, 12), "meeting_on": date(2026, 11, 19), "thanked_on": date(2026, 11, 20),
     "notes": "20 minutes in her office. Their team uses dbt and Power BI.",
     "helpful": "the tip to show a hospital-inventory dashboard in my portfolio",
     "recommended": "Bob Roe <bob.roe@northwindclinic.org>, 617-555-0142, Northwind Clinic\n"
                    "Olivia Park, Fabrikam Health"},
    {"name": "Bob Roe", "source": "Referral", "referred_by": "Ann Lee", "organization": "Northwind Clinic",
     "title": "Analytics Lead", "phone": "617-555-0142", "email": "bob.roe@northwindclinic.org", "channel": "Call",
     "contacted_on": date(2026, 11, 21), "meeting_on": datetime(2026, 12, 2, 10, 0),
     "notes": "Agreed to a call on Dec 2 at 10:00."},
    {"name": "Olivia Park", "source": "Referral", "referred_by": "Ann Lee", "organization": "Fabrikam Health",
     "title": "Data Platform Manager", "email": "olivia.park@fabrikamhealth.org", "channel": "Email",
     "personal_note": "We spoke briefly after your talk on hospital data platforms at the Boston Data Meetup"},
    {"name": "Sue Miller", "source": "Family", "via": "Mom", "organization": "Woodgrove Bank",
     "title": "VP, Human Resources", "phone": "617-555-0117", "email": "sue.miller@woodgrovebank.com",
     "channel": "Call", "contacted_on": date(2026, 11, 5), "meeting_on": date(2026, 11, 18),
     "notes": "Aunt Sue. Talked for half an hour about how HR reads analyst resumes.",
     "helpful": "how to lead my resume with outcomes instead of tools",
     "recommended": "Carlos Diaz <carlos.diaz@woodgrovebank.com>, Woodgrove Bank"},
    {"name": "Carlos Diaz", "source": "Referral", "referred_by": "Sue Miller", "organization": "Woodgrove Bank",
     "title": "Risk Analytics Manager", "email": "carlos.diaz@woodgrovebank.com", "channel": "Email"},
    {"name": "Priya Natarajan", "source": "Friend", "via": "Sam Patel", "organization": "Litware",
     "title": "Data Engineering Manager", "email": "priya.n@litware.com", "channel": "Email",
     "contacted_on": date(2026, 11, 17), "notes": "Sam's former teammate."},
    {"name": "Hiro Tanaka", "source": "Own", "organization": "Proseware", "title": "Senior Analyst",
     "phone": "415-555-0163", "email": "hiro.tanaka@proseware.com", "channel": "Email",
     "contacted_on": date(2026, 11, 8), "followed_up_on": date(2026, 11, 16),
     "notes": "Classmate from the data bootcamp. No answer yet."},
    {"name": "Frank Osei", "source": "Family", "via": "Dad", "organization": "Adatum Corporation",
     "title": "Supply Chain Director", "phone": "617-555-0188", "channel": "Call",
     "contacted_on": date(2026, 11, 20), "notes": "Dad's tennis partner. Left a voicemail."},
    {"name": "Isabel Grant", "source": "Friend", "via": "Sam Patel", "organization": "Relecloud",
     "title": "Head of Business Intelligence", "phone": "(617) 555-0175", "email": "isabel.grant@relecloud.com",
     "channel": "Call", "contacted_on": date(2026, 11, 18), "meeting_on": datetime(2026, 11, 25, 15, 30),
     "meeting_place": "Relecloud, 200 Clarendon St, Boston (ask for her at the front desk)",
     "notes": "Coffee at her office at 15:30 today."},
    {"name": "David Kim", "source": "Own", "organization": "Tailspin Toys", "title": "Data Analyst",
     "phone": "617-555-0129", "channel": "Call", "notes": "College roommate; ask about his move into analytics."},
    {"name": "Elena Petrova", "source": "Own", "organization": "Contoso Logistics", "title": "Former manager",
     "phone": "617-555-0150", "email": "elena.petrova@contoso.com", "channel": "Email", "status": "Done",
     "contacted_on": date(2026, 10, 20), "meeting_on": date(2026, 10, 23), "thanked_on": date(2026, 10, 24),
     "notes": "Wrote me a LinkedIn recommendation.", "helpful": "the reference letter"},
    {"name": "Grace Liu", "source": "Friend", "via": "Tom Baker", "organization": "Blue Yonder Airlines",
     "title": "Analytics Director", "email": "grace.liu@blueyonderairlines.com", "channel": "Email",
     "status": "Declined", "contacted_on": date(2026, 11, 3), "notes": "Too busy until spring; try again in March."},
]

WANT_TO_MEET = [
    {"name": "Head of Analytics", "organization": "Northwind Clinic",
     "why": "Runs the team I would most like to join", "connector": "Bob Roe"},
    {"name": "Olivia Park", "organization": "Fabrikam Health", "why": "Built their data platform from scratch"},
    {"name": "Supply-chain analyst", "organization": "Woodgrove Bank",
     "why": "To hear how banks use forecasting"},
    {"name": "Anyone in hospital revenue-cycle analytics", "organization": "Trey Research",
     "why": "A field close to mine that I know little about"},
]
