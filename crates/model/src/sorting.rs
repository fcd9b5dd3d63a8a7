//! One stable sort for the whole app, phone and server.
//!
//! Every `slice::sort_by` of another element type or closure compiles the standard
//! library's whole stable sort (driftsort) once more: eighteen copies made ~58 KB of the
//! phone's optimised wasm (BENCHMARKS.md, "Issue 14: the first load back under its
//! ceiling"). These functions sort a list of indices instead, through one comparator
//! behind `&dyn`, so the standard sort is compiled once; the per-call-site part is a
//! closure and a few swaps. Same results as `slice::sort_by`: stable, ascending. For
//! the same reason maps and sets are built by `map_of` and `set_of`, not `collect()`.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Sorts `items` by `compare`, keeping equal items in their order (`slice::sort_by`).
pub fn sort_by<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    let order = sorted_indices(items.len(), &|a, b| compare(&items[a], &items[b]));
    apply_order(order, &mut |a, b| items.swap(a, b));
}

/// Sorts `items` by the key `key` gives each, stably (`slice::sort_by_key`).
pub fn sort_by_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` in their own order, stably (`slice::sort`).
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// The map `pairs.collect()` makes (of two equal keys the later value stays), built by
/// inserting: `BTreeMap`'s `FromIterator` sorts its input first, with a copy of the
/// standard sort of its own.
pub fn map_of<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    map.extend(pairs);
    map
}

/// The set `items.collect()` makes, built by inserting (see `map_of`).
pub fn set_of<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    set.extend(items);
    set
}

/// The indices of `len` items in sorted order: the one place the standard sort is
/// compiled for.
fn sorted_indices(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// Moves the item at `order[k]` to position `k` for every `k`, by swaps along each
/// cycle of the permutation (no copy of the items, nothing generic but `swap`).
fn apply_order(mut order: Vec<usize>, swap: &mut dyn FnMut(usize, usize)) {
    for start in 0..order.len() {
        let mut at = start;
        loop {
            let from = order[at];
            // Position `at` is final once this step is done; a visited cycle ends here.
            order[at] = at;
            if from == start || from == at {
                break;
            }
            swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sorts_like_the_standard_library_with_ties_kept_in_order() {
        let mut items = vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        sort_by_key(&mut items, |i| i.0);
        assert_eq!(items, [(1, 'b'), (1, 'e'), (2, 'd'), (3, 'a'), (3, 'c')]);
    }

    #[test]
    fn empty_and_single_lists_stay_as_they_are() {
        let mut none: Vec<u8> = vec![];
        sort(&mut none);
        assert!(none.is_empty());
        let mut one = vec![7];
        sort(&mut one);
        assert_eq!(one, [7]);
    }

    #[test]
    fn maps_and_sets_match_what_collect_makes() {
        let pairs = [(2, 'a'), (1, 'b'), (2, 'c')];
        assert_eq!(map_of(pairs), pairs.into_iter().collect::<BTreeMap<_, _>>());
        assert_eq!(set_of([3, 1, 3]), BTreeSet::from([1, 3]));
    }

    proptest! {
        #[test]
        fn same_result_as_slice_sort_by_key(items in prop::collection::vec((0u8..6, any::<u16>()), 0..200)) {
            let mut ours = items.clone();
            let mut std_sorted = items;
            sort_by_key(&mut ours, |i| i.0);
            std_sorted.sort_by_key(|i| i.0);
            prop_assert_eq!(ours, std_sorted);
        }

        #[test]
        fn same_result_as_slice_sort_by_reversed(items in prop::collection::vec(any::<i32>(), 0..200)) {
            let mut ours = items.clone();
            let mut std_sorted = items;
            sort_by(&mut ours, |a, b| b.cmp(a));
            std_sorted.sort_by(|a, b| b.cmp(a));
            prop_assert_eq!(ours, std_sorted);
        }
    }
}
