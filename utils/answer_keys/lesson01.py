"""Answer keys of lesson 01 (the dataset). Reading them spoils the exercises."""

from utils.exercises import Key


def _context_counts(words, block_size):
    counts = {}
    for word in words:
        padded = "." * block_size + word
        for i in range(len(word) + 1):
            counts[padded[i:i + block_size]] = counts.get(padded[i:i + block_size], 0) + 1
    return counts


KEYS = {
    "01.1": Key("n", hint="Which target marks the end of a name? In a context, which column holds the newest character? "
                          "('a' is the most common first letter, and the most common letter overall.)"),
    "01.2": Key(_context_counts,
                cases=[(["emma"], 3), ([], 2), (["ab", "ab"], 1), (["ava", "eva", "bo"], 2),
                       (["olivia", "ava", "isabella", "sophia", "emma"], 5)],
                hint="Pad the word with block_size dots in front, then take block_size characters at each of the "
                     "len(word) + 1 positions; count repeats, across words too."),
    "01.3": Key(5, hint="For each block size, count the contexts whose count is 1 and divide by the number of "
                        "distinct contexts; stop at the first share above one half."),
}
