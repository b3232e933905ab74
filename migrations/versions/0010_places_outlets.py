"""places and outlets among the synonyms

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

A reader types a place or an outlet in Latin letters (`delhi`, `lucknow`, `Business Standard`, `NBT`) where
Hindi papers print it in Devanagari (दिल्ली, लखनऊ, बिजनेस स्टैंडर्ड, नवभारत टाइम्स); no spelling rule joins
them (दिल्ली is not read "delhi", and an acronym is not its name). The states, union territories and large
cities of India, and the outlets that print Hindi news, join the synonyms here once, as `archive synonyms add`
joins them: a group that already has one of their names takes the others. Searches use them for words, and
`--source` for outlets (any name of an outlet's group finds its articles). `archive synonyms remove` takes
any of them out again.
"""

import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Names that are also common Hindi words are left out (गया 'went' for Gaya, सूरत 'face' for Surat, पत्रिका
# 'magazine' for Patrika, जागरण 'awakening' for Jagran), and the two-letter codes that stand for other things
# (MP is also a member of parliament).
PLACES = (
    ("Delhi", "दिल्ली"),
    ("New Delhi", "नई दिल्ली"),
    ("Mumbai", "Bombay", "मुंबई", "मुम्बई", "बंबई", "बम्बई"),
    ("Kolkata", "Calcutta", "कोलकाता", "कलकत्ता"),
    ("Chennai", "Madras", "चेन्नई", "मद्रास"),
    ("Bengaluru", "Bangalore", "बेंगलुरु", "बेंगलुरू", "बंगलुरु", "बंगलौर", "बेंगलूरु"),
    ("Hyderabad", "हैदराबाद"),
    ("Ahmedabad", "अहमदाबाद"),
    ("Pune", "Poona", "पुणे"),
    ("Lucknow", "लखनऊ"),
    ("Jaipur", "जयपुर"),
    ("Patna", "पटना"),
    ("Bhopal", "भोपाल"),
    ("Indore", "इंदौर"),
    ("Kanpur", "कानपुर"),
    ("Nagpur", "नागपुर"),
    ("Varanasi", "Banaras", "Benares", "वाराणसी", "बनारस"),
    ("Prayagraj", "Allahabad", "प्रयागराज", "इलाहाबाद"),
    ("Agra", "आगरा"),
    ("Meerut", "मेरठ"),
    ("Noida", "नोएडा"),
    ("Ghaziabad", "गाजियाबाद", "ग़ाज़ियाबाद"),
    ("Gurugram", "Gurgaon", "गुरुग्राम", "गुड़गांव"),
    ("Faridabad", "फरीदाबाद"),
    ("Chandigarh", "चंडीगढ़"),
    ("Ludhiana", "लुधियाना"),
    ("Amritsar", "अमृतसर"),
    ("Jodhpur", "जोधपुर"),
    ("Udaipur", "उदयपुर"),
    ("Kota", "कोटा"),
    ("Ajmer", "अजमेर"),
    ("Gwalior", "ग्वालियर"),
    ("Jabalpur", "जबलपुर"),
    ("Raipur", "रायपुर"),
    ("Ranchi", "रांची"),
    ("Jamshedpur", "जमशेदपुर"),
    ("Dhanbad", "धनबाद"),
    ("Bhagalpur", "भागलपुर"),
    ("Muzaffarpur", "मुजफ्फरपुर"),
    ("Gorakhpur", "गोरखपुर"),
    ("Ayodhya", "अयोध्या"),
    ("Mathura", "मथुरा"),
    ("Haridwar", "हरिद्वार"),
    ("Dehradun", "देहरादून"),
    ("Shimla", "Simla", "शिमला"),
    ("Srinagar", "श्रीनगर"),
    ("Jammu", "जम्मू"),
    ("Guwahati", "गुवाहाटी"),
    ("Bhubaneswar", "भुवनेश्वर"),
    ("Vadodara", "Baroda", "वडोदरा"),
    ("Nashik", "नासिक"),
    ("Thiruvananthapuram", "Trivandrum", "तिरुवनंतपुरम"),
    ("Kochi", "Cochin", "कोच्चि"),
    ("Visakhapatnam", "विशाखापत्तनम"),
    ("Coimbatore", "कोयंबटूर"),
    ("Madurai", "मदुरै"),
    ("Mysuru", "Mysore", "मैसूर"),
    ("Uttar Pradesh", "उत्तर प्रदेश", "यूपी"),
    ("Madhya Pradesh", "मध्य प्रदेश"),
    ("Himachal Pradesh", "हिमाचल प्रदेश"),
    ("Andhra Pradesh", "आंध्र प्रदेश"),
    ("Arunachal Pradesh", "अरुणाचल प्रदेश"),
    ("Bihar", "बिहार"),
    ("Jharkhand", "झारखंड"),
    ("Rajasthan", "राजस्थान"),
    ("Gujarat", "गुजरात"),
    ("Maharashtra", "महाराष्ट्र"),
    ("Punjab", "पंजाब"),
    ("Haryana", "हरियाणा"),
    ("Uttarakhand", "उत्तराखंड"),
    ("West Bengal", "पश्चिम बंगाल"),
    ("Odisha", "Orissa", "ओडिशा", "उड़ीसा"),
    ("Assam", "असम"),
    ("Kerala", "केरल"),
    ("Tamil Nadu", "तमिलनाडु", "तमिल नाडु"),
    ("Karnataka", "कर्नाटक"),
    ("Telangana", "तेलंगाना"),
    ("Chhattisgarh", "छत्तीसगढ़"),
    ("Goa", "गोवा"),
    ("Jammu and Kashmir", "Jammu Kashmir", "जम्मू कश्मीर", "जम्मू-कश्मीर"),
    ("Kashmir", "कश्मीर"),
    ("Ladakh", "लद्दाख"),
    ("Manipur", "मणिपुर"),
    ("Meghalaya", "मेघालय"),
    ("Mizoram", "मिजोरम"),
    ("Nagaland", "नगालैंड", "नागालैंड"),
    ("Tripura", "त्रिपुरा"),
    ("Sikkim", "सिक्किम"),
    ("Puducherry", "Pondicherry", "पुडुचेरी"),
    ("Andaman and Nicobar", "अंडमान निकोबार"),
    ("Lakshadweep", "लक्षद्वीप"),
)
OUTLETS = (
    ("Navbharat Times", "नवभारत टाइम्स", "NBT", "एनबीटी"),
    ("Business Standard", "बिजनेस स्टैंडर्ड"),
    ("Dainik Jagran", "दैनिक जागरण"),
    ("Dainik Bhaskar", "दैनिक भास्कर"),
    ("Hindustan", "हिन्दुस्तान", "हिंदुस्तान", "Dainik Hindustan", "Live Hindustan", "लाइव हिन्दुस्तान"),
    ("Hindustan Times", "हिंदुस्तान टाइम्स"),
    ("Amar Ujala", "अमर उजाला"),
    ("Jansatta", "जनसत्ता"),
    ("Rajasthan Patrika", "राजस्थान पत्रिका"),
    ("Prabhat Khabar", "प्रभात खबर"),
    ("Nai Dunia", "Naidunia", "नई दुनिया", "नईदुनिया"),
    ("Punjab Kesari", "पंजाब केसरी"),
    ("Navodaya Times", "नवोदय टाइम्स"),
    ("Hari Bhoomi", "Haribhoomi", "हरिभूमि"),
    ("Deshbandhu", "देशबंधु"),
    ("Dainik Tribune", "दैनिक ट्रिब्यून"),
    ("Rashtriya Sahara", "राष्ट्रीय सहारा"),
    ("Webdunia", "वेबदुनिया"),
    ("Aaj Tak", "आज तक"),
    ("ABP News", "एबीपी न्यूज"),
    ("Zee News", "ज़ी न्यूज़", "जी न्यूज"),
    ("NDTV India", "एनडीटीवी इंडिया"),
    ("BBC Hindi", "बीबीसी हिंदी"),
    ("News18 Hindi", "न्यूज18 हिंदी"),
    ("India Today", "इंडिया टुडे"),
    ("Economic Times", "इकोनॉमिक टाइम्स"),
    ("PTI", "पीटीआई", "Press Trust of India"),
    ("IANS", "आईएएनएस"),
    ("UNI", "यूएनआई"),
)


def _same(word: str) -> str:
    """What two spellings of a group's member share (case, spaces, Unicode form): archive.store.synonyms'
    rule as it was, frozen here (a later change of the rule comes with a migration of its own)."""
    return " ".join(unicodedata.normalize("NFC", part).casefold() for part in word.split())


def _table() -> sa.TableClause:
    return sa.table(
        "synonyms", sa.column("id", sa.Integer), sa.column("words", sa.Text), sa.column("created_at", sa.DateTime)
    )


def upgrade() -> None:
    synonyms = _table()
    connection = op.get_bind()
    rows = {row.id: row.words.split("\n") for row in connection.execute(sa.select(synonyms.c.id, synonyms.c.words))}
    now = datetime.now(UTC).replace(tzinfo=None)
    for group in PLACES + OUTLETS:
        keys = {_same(word) for word in group}
        joined = [number for number, words in rows.items() if keys & {_same(w) for w in words}]
        if not joined:
            connection.execute(synonyms.insert().values(words="\n".join(group), created_at=now))
            continue
        keep = joined[0]
        merged = {_same(w): w for w in [w for number in joined for w in rows[number]]}
        for word in group:
            merged.setdefault(_same(word), word)
        rows[keep] = list(merged.values())
        connection.execute(synonyms.update().where(synonyms.c.id == keep).values(words="\n".join(rows[keep])))
        for number in joined[1:]:
            connection.execute(synonyms.delete().where(synonyms.c.id == number))
            del rows[number]


def downgrade() -> None:
    """Take out the names this revision added (a group left with one name goes)."""
    synonyms = _table()
    connection = op.get_bind()
    added = {_same(word) for group in PLACES + OUTLETS for word in group}
    for row in list(connection.execute(sa.select(synonyms.c.id, synonyms.c.words))):
        kept = [word for word in row.words.split("\n") if _same(word) not in added]
        if len(kept) < 2:
            connection.execute(synonyms.delete().where(synonyms.c.id == row.id))
        elif len(kept) < len(row.words.split("\n")):
            connection.execute(synonyms.update().where(synonyms.c.id == row.id).values(words="\n".join(kept)))
