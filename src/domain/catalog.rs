//! Categories of the catalog: the hierarchy rules (no cycles, depth at most 4), the icon set,
//! and the tree and breadcrumbs built from a flat list.

use super::{CategoryId, FieldErrors};

/// How deep the category tree may go: a top-level category has depth 1.
pub const MAX_DEPTH: usize = 4;
/// More top-level categories than this and the admin view advises sub-categories instead.
pub const ADVISED_TOP_LEVEL: usize = 7;

/// Icons vendored from Lucide (`assets/vendor/lucide/icons/NAME.svg`, class `i-NAME` in
/// `assets/icons.css`). A tidy test checks that every name has both.
pub const ICONS: &[&str] = &[
    "key-round",
    "shield-check",
    "lock",
    "user-plus",
    "users",
    "laptop",
    "monitor",
    "mouse",
    "keyboard",
    "printer",
    "smartphone",
    "phone",
    "headphones",
    "package",
    "app-window",
    "file-text",
    "file-spreadsheet",
    "briefcase",
    "server",
    "hard-drive",
    "database",
    "cloud",
    "network",
    "wifi",
    "globe",
    "graduation-cap",
    "book-open",
    "life-buoy",
    "wrench",
    "settings",
    "mail",
    "calendar",
    "folder",
    "shopping-cart",
    "badge-help",
    "message-circle",
    "camera",
    "video",
    "building",
    "car",
    "cpu",
    "router",
    "shield",
    "archive",
    "clipboard-list",
    "code",
    "terminal",
    "rocket",
    "star",
];

pub const DEFAULT_ICON: &str = "folder";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: CategoryId,
    pub name: String,
    pub description: String,
    pub parent_id: Option<CategoryId>,
    pub icon: String,
    pub order: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryInput {
    pub name: String,
    pub description: String,
    pub parent_id: Option<CategoryId>,
    pub icon: String,
    pub order: i32,
}

impl CategoryInput {
    /// Checks the input against the other categories. `editing` is the category being changed
    /// (`None` on creation); `all` is every category as stored now.
    pub fn check(
        mut self,
        editing: Option<CategoryId>,
        all: &[Category],
    ) -> Result<CategoryInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        self.name = self.name.trim().to_owned();
        self.description = self.description.trim().to_owned();
        self.icon = self.icon.trim().to_owned();
        if self.name.is_empty() {
            errors.add("name", "is required");
        } else if self.name.chars().count() > 80 {
            errors.add("name", "must be at most 80 characters long");
        }
        if self.description.chars().count() > 500 {
            errors.add("description", "must be at most 500 characters long");
        }
        if self.icon.is_empty() {
            DEFAULT_ICON.clone_into(&mut self.icon);
        } else if !ICONS.contains(&self.icon.as_str()) {
            errors.add("icon", "is not an icon of the bundled set");
        }
        if let Some(parent) = self.parent_id
            && let Err(message) = check_parent(all, editing, parent)
        {
            errors.add("parent_id", message);
        }
        errors.into_result(self)
    }
}

impl CategoryInput {
    /// The category this (checked) input describes, under the id `id`.
    pub fn into_category(self, id: CategoryId) -> Category {
        Category {
            id,
            name: self.name,
            description: self.description,
            parent_id: self.parent_id,
            icon: self.icon,
            order: self.order,
        }
    }
}

/// Can `parent` hold `category` (or a new category when `None`) without a cycle and within
/// `MAX_DEPTH`?
pub fn check_parent(
    all: &[Category],
    category: Option<CategoryId>,
    parent: CategoryId,
) -> Result<(), &'static str> {
    if !all.iter().any(|c| c.id == parent) {
        return Err("no such category");
    }
    if let Some(id) = category
        && (id == parent || ancestors(all, parent).contains(&id))
    {
        return Err("would put the category inside itself");
    }
    let height = category.map_or(1, |id| subtree_height(all, id));
    if depth(all, parent) + height > MAX_DEPTH {
        return Err("would make the tree deeper than 4 levels");
    }
    Ok(())
}

fn parent_of(all: &[Category], id: CategoryId) -> Option<CategoryId> {
    all.iter().find(|c| c.id == id).and_then(|c| c.parent_id)
}

/// The ids above `id`, nearest first. Bounded so that a corrupt store cannot loop forever.
pub fn ancestors(all: &[Category], id: CategoryId) -> Vec<CategoryId> {
    let mut found = Vec::new();
    let mut current = parent_of(all, id);
    while let Some(parent) = current {
        if found.contains(&parent) || found.len() > all.len() {
            break;
        }
        found.push(parent);
        current = parent_of(all, parent);
    }
    found
}

/// The categories that hold a service, themselves or below them: the only ones worth showing
/// to someone looking for a service. `homes` are the categories of the services that count.
pub fn holding_services(
    all: &[Category],
    homes: impl IntoIterator<Item = CategoryId>,
) -> std::collections::HashSet<CategoryId> {
    let mut found = std::collections::HashSet::new();
    for home in homes {
        if found.insert(home) {
            found.extend(ancestors(all, home));
        }
    }
    found
}

/// 1 for a top-level category.
pub fn depth(all: &[Category], id: CategoryId) -> usize {
    ancestors(all, id).len() + 1
}

/// 1 for a category without children.
pub fn subtree_height(all: &[Category], id: CategoryId) -> usize {
    fn height(all: &[Category], id: CategoryId, budget: usize) -> usize {
        if budget == 0 {
            return 1;
        }
        1 + all
            .iter()
            .filter(|c| c.parent_id == Some(id))
            .map(|c| height(all, c.id, budget - 1))
            .max()
            .unwrap_or(0)
    }
    height(all, id, all.len())
}

/// The children of `parent` (top level for `None`), in display order then by name.
pub fn children(all: &[Category], parent: Option<CategoryId>) -> Vec<&Category> {
    let mut found: Vec<&Category> = all.iter().filter(|c| c.parent_id == parent).collect();
    found.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.name.cmp(&b.name)));
    found
}

/// From the top-level category down to `id` itself, for breadcrumbs.
pub fn path(all: &[Category], id: CategoryId) -> Vec<&Category> {
    let mut ids = ancestors(all, id);
    ids.reverse();
    ids.push(id);
    ids.iter()
        .filter_map(|i| all.iter().find(|c| c.id == *i))
        .collect()
}

/// A node of the category tree with its children, in display order.
#[derive(Debug, Clone)]
pub struct TreeNode<'a> {
    pub category: &'a Category,
    pub children: Vec<TreeNode<'a>>,
}

pub fn tree(all: &[Category]) -> Vec<TreeNode<'_>> {
    fn build<'a>(
        all: &'a [Category],
        parent: Option<CategoryId>,
        budget: usize,
    ) -> Vec<TreeNode<'a>> {
        if budget == 0 {
            return Vec::new();
        }
        children(all, parent)
            .into_iter()
            .map(|category| TreeNode {
                category,
                children: build(all, Some(category.id), budget - 1),
            })
            .collect()
    }
    build(all, None, MAX_DEPTH + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(id: u64, parent: Option<u64>) -> Category {
        Category {
            id: CategoryId(id),
            name: format!("c{id}"),
            description: String::new(),
            parent_id: parent.map(CategoryId),
            icon: DEFAULT_ICON.into(),
            order: 0,
        }
    }

    #[test]
    fn a_category_holds_services_when_it_or_one_below_it_does() {
        let all = chain();
        let held = holding_services(&all, [CategoryId(3)]);
        let mut ids: Vec<u64> = held.iter().map(|c| c.0).collect();
        ids.sort_unstable();
        assert_eq!(
            ids,
            vec![1, 2, 3],
            "3 and everything above it, not 4 below nor 5 beside"
        );
        assert!(holding_services(&all, []).is_empty());
    }

    /// 1 > 2 > 3 > 4 (four levels), and 5 at the top.
    fn chain() -> Vec<Category> {
        vec![
            cat(1, None),
            cat(2, Some(1)),
            cat(3, Some(2)),
            cat(4, Some(3)),
            cat(5, None),
        ]
    }

    #[test]
    fn depth_and_height_follow_the_chain() {
        let all = chain();
        assert_eq!(depth(&all, CategoryId(4)), 4);
        assert_eq!(subtree_height(&all, CategoryId(1)), 4);
        assert_eq!(subtree_height(&all, CategoryId(4)), 1);
        assert_eq!(
            path(&all, CategoryId(3))
                .iter()
                .map(|c| c.id.0)
                .collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
    }

    #[test]
    fn cycles_are_refused() {
        let all = chain();
        assert!(check_parent(&all, Some(CategoryId(1)), CategoryId(3)).is_err());
        assert!(check_parent(&all, Some(CategoryId(2)), CategoryId(2)).is_err());
    }

    #[test]
    fn depth_over_four_is_refused() {
        let all = chain();
        assert_eq!(
            check_parent(&all, None, CategoryId(4)),
            Err("would make the tree deeper than 4 levels")
        );
        assert!(check_parent(&all, None, CategoryId(3)).is_ok());
        // Moving 2 (height 3) under 5 gives depth 2 + 3 − 1 = 4: allowed; under 1's child 2, no.
        assert!(check_parent(&all, Some(CategoryId(2)), CategoryId(5)).is_ok());
        let mut deeper = chain();
        deeper.push(cat(6, Some(5)));
        assert!(check_parent(&deeper, Some(CategoryId(2)), CategoryId(6)).is_err());
    }

    #[test]
    fn input_is_trimmed_and_icons_checked() {
        let input = CategoryInput {
            name: "  Accès ".into(),
            description: String::new(),
            parent_id: None,
            icon: String::new(),
            order: 0,
        };
        let checked = input.clone().check(None, &[]).expect("valid");
        assert_eq!(checked.name, "Accès");
        assert_eq!(checked.icon, DEFAULT_ICON);
        let bad = CategoryInput {
            icon: "unicorn".into(),
            name: String::new(),
            ..input
        };
        let errors = bad.check(None, &[]).expect_err("invalid");
        assert!(errors.get("icon").is_some() && errors.get("name").is_some());
    }

    #[test]
    fn tree_orders_children() {
        let mut all = chain();
        all[4].order = -1;
        let tree = tree(&all);
        assert_eq!(
            tree.iter().map(|n| n.category.id.0).collect::<Vec<_>>(),
            vec![5, 1]
        );
        assert_eq!(tree[1].children[0].children[0].children[0].category.id.0, 4);
    }
}
