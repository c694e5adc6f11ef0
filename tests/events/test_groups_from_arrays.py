"""The grouping of stored pairs into events (vector work over every pair) against its plain
definition: components of the linking pairs, rules.constrained_groups where a component holds
two reports of one source or a pair an analyst split. Random pairs with every state."""

import random

import numpy as np
import pytest

from events import rules, services
from events.choices import LINKING_STATES, PairState


def plain_groups(members, pairs, source):
    """The definition, one pair and one component at a time (as the rebuild was first written)."""
    members = sorted(members)
    links = [
        (a, b, score, state == PairState.MERGED)
        for a, b, state, score in pairs
        if state in LINKING_STATES and a in source and b in source
    ]
    apart = {(a, b) for a, b, state, _score in pairs if state == PairState.SPLIT}
    parent = {m: m for m in members}

    def root(m):
        while parent[m] != m:
            m = parent[m]
        return m

    for a, b, _score, _by_analyst in links:
        parent[root(a)] = root(b)
    components = {}
    for a, b, *_ in links:
        components.setdefault(root(a), set()).update((a, b))
    groups = []
    for component in components.values():
        group = sorted(component)
        conflicted = len({source[m] for m in group}) < len(group) or any(
            a in component and b in component for a, b in apart
        )
        if conflicted:
            component_links = [link for link in links if link[0] in component]
            groups += [
                g for g in rules.constrained_groups(group, component_links, source, apart) if len(g) > 1
            ]
        else:
            groups.append(group)
    return sorted(groups)


def random_world(seed, reports=300, pairs=420, sources=4):
    rng = random.Random(seed)
    ids = sorted(rng.sample(range(1, 10 * reports), reports))
    source = {i: rng.randrange(sources) for i in ids}
    states = [PairState.AUTO] * 6 + [PairState.PENDING] * 2 + [PairState.MERGED, PairState.SPLIT]
    found = {}
    for _ in range(pairs):
        a, b = rng.sample(ids, 2)
        found[min(a, b), max(a, b)] = (rng.choice(states), round(rng.random(), 3))
    stored = [(a, b, state, score) for (a, b), (state, score) in found.items()]
    # A few reports of the pairs are gone (deleted or rejected): not members.
    members = [i for i in ids if rng.random() > 0.05]
    return members, stored, source


@pytest.mark.parametrize("seed", range(12))
def test_the_vector_grouping_is_the_plain_definition(seed):
    members, stored, source = random_world(seed)
    kept = {m: source[m] for m in members}
    ids = np.array(sorted(members), dtype=np.int64)
    codes = np.array([source[m] for m in ids.tolist()], dtype=np.int64)
    pairs = services.PairArrays.from_rows(stored)
    groups, grouped = services._groups(ids, codes, pairs)
    expected = plain_groups(members, stored, kept)
    assert sorted(groups) == expected
    assert grouped.tolist() == sorted(m for g in expected for m in g)
    assert any(len(g) > 2 for g in expected)  # the worlds hold chains, not only pairs


@pytest.mark.parametrize("parts", [2, 3])
def test_the_parts_hold_each_group_once(parts):
    members, stored, source = random_world(5)
    ids = np.array(sorted(members), dtype=np.int64)
    codes = np.array([source[m] for m in ids.tolist()], dtype=np.int64)
    pairs = services.PairArrays.from_rows(stored)
    whole, grouped = services._groups(ids, codes, pairs)
    split = []
    for part in range(parts):
        groups, every = services._groups(ids, codes, pairs, part, parts)
        assert all(group[0] % parts == part for group in groups)
        assert every.tolist() == grouped.tolist()
        split += groups
    assert sorted(split) == sorted(whole)


def test_no_reports_no_groups():
    pairs = services.PairArrays.from_rows([(1, 2, PairState.AUTO, 0.9)])
    groups, grouped = services._groups(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), pairs)
    assert groups == [] and grouped.tolist() == []
