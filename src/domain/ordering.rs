//! Display order: moving one item among its siblings.

/// Moves the item at `at` one place up (towards the start) or down, then renumbers the display
/// orders 10, 20, 30… so that later inserts have room. Answers the items whose order changed.
pub fn move_one<T>(
    mut items: Vec<T>,
    at: usize,
    up: bool,
    order: impl Fn(&mut T) -> &mut i32,
) -> Vec<T> {
    let other = if up {
        at.checked_sub(1)
    } else {
        Some(at + 1).filter(|i| *i < items.len())
    };
    if let Some(other) = other {
        items.swap(at, other);
    }
    items
        .into_iter()
        .enumerate()
        .filter_map(|(i, mut item)| {
            let wanted = i32::try_from((i + 1) * 10).unwrap_or(i32::MAX);
            let slot = order(&mut item);
            if *slot == wanted {
                return None;
            }
            *slot = wanted;
            Some(item)
        })
        .collect()
}

/// The display order of a new item: after every existing one, in the same steps of 10, so that a
/// new category or service does not jump to the front.
pub fn next_order(orders: impl Iterator<Item = i32>) -> i32 {
    orders.max().map_or(10, |last| last.saturating_add(10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_and_renumbers_only_what_changes() {
        let items = vec![(1, 10), (2, 20), (3, 30)];
        let changed = move_one(items.clone(), 2, true, |item| &mut item.1);
        assert_eq!(changed, vec![(3, 20), (2, 30)]);
        assert!(
            move_one(items.clone(), 0, true, |item| &mut item.1).is_empty(),
            "the first cannot go up"
        );
        assert!(
            move_one(items, 2, false, |item| &mut item.1).is_empty(),
            "the last cannot go down"
        );
        let messy = vec![(1, 0), (2, 0)];
        assert_eq!(
            move_one(messy, 0, false, |item| &mut item.1),
            vec![(2, 10), (1, 20)]
        );
    }

    #[test]
    fn a_new_item_goes_last() {
        assert_eq!(super::next_order([30, 10, 20].into_iter()), 40);
        assert_eq!(super::next_order(std::iter::empty()), 10);
    }
}
