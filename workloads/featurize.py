"""feature engineering over records in pure Python: tokenising text, counting words and bigrams in dicts, bucketing prices, splitting tags

A unit is a batch of records_per_unit records of a dataset of records
made by setup (the units cycle over it).  Each record's text is tokenised
(lower case, punctuation stripped, split), its words and bigrams counted
into the batch's dict, and its price, category and tags turned into
features: string and dict work from start to end, the interpreter's loop
the whole time.

Check: setup writes each record with a known number of words and tags, so
the tokens, bigrams and features a batch must give are known without
tokenising anything.
"""
import math

from gilbench_kit import MASK, unit_checksum

UNIT = "a batch of 40 records"
UNITS = 2400
SETTINGS = {"records_per_unit": (40, 1, 10000), "records": (4000, 1, 1000000)}
CHUNKSIZE = 10

WORDS = ("data model train loss batch epoch layer token vector matrix python thread process queue lock "
         "cache memory signal buffer socket request response server client stream parser record field "
         "value index feature label score weight gradient tensor kernel worker future result").split()
CATEGORIES = ("books", "garden", "tools", "music", "toys", "sports", "kitchen")
TAGS = ("new", "sale", "eco", "gift", "bulk", "rare", "used", "local")
PUNCTUATION = str.maketrans("", "", ".,;:!?()")


def make_record(i):
    """Record i and what it holds: (record, words in its text, tags)."""
    words = 8 + (i * 7919) % 33
    text = " ".join((WORDS[(i * 31 + k * k * 17) % len(WORDS)].capitalize() if k % 6 == 0
                     else WORDS[(i + k * 13) % len(WORDS)]) + ("," if k % 9 == 4 else "")
                    for k in range(words)) + "."
    tags = 1 + i % 4
    record = {"id": i, "text": text, "price": (i * 2654435761 % 100000) / 100,
              "category": CATEGORIES[i % len(CATEGORIES)],
              "tags": ",".join(TAGS[(i + t * 3) % len(TAGS)] for t in range(tags))}
    return record, words, tags


def setup(params):
    made = [make_record(i) for i in range(params["records"])]
    return dict(params, records_list=[m[0] for m in made], shape=[(m[1], m[2]) for m in made])


def batch(state, unit):
    n, per = state["records"], state["records_per_unit"]
    return [(unit * per + k) % n for k in range(per)]


def featurize(record, counts):
    """Counts the record's words and bigrams into counts; returns its
    (tokens, bigrams, features)."""
    words = record["text"].lower().translate(PUNCTUATION).split()
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    for first, second in zip(words, words[1:]):
        key = first + "_" + second
        counts[key] = counts.get(key, 0) + 1
    features = {"price_bucket": int(math.log10(1 + record["price"]) * 4),
                "category=" + record["category"]: 1}
    for tag in record["tags"].split(","):
        features["tag=" + tag] = 1
    return len(words), max(len(words) - 1, 0), len(features)


def mix(tokens, bigrams, features):
    return (tokens << 40) + (bigrams << 20) + features


def work(state, first, count):
    total = 0
    for unit in range(first, first + count):
        counts, tokens, bigrams, features = {}, 0, 0, 0
        for i in batch(state, unit):
            t, b, f = featurize(state["records_list"][i], counts)
            tokens, bigrams, features = tokens + t, bigrams + b, features + f
        total = (total + unit_checksum(unit, mix(tokens, bigrams, features))) & MASK
    return total


def check(state, first, count, value):
    total = 0
    for unit in range(first, first + count):
        shapes = [state["shape"][i] for i in batch(state, unit)]
        tokens = sum(words for words, _ in shapes)
        expected = mix(tokens, tokens - len(shapes), sum(2 + tags for _, tags in shapes))
        total = (total + unit_checksum(unit, expected)) & MASK
    return value == total
