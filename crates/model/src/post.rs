//! Posts: the school gates where peak-hour duty happens.

use serde::{Deserialize, Serialize};

/// One school gate an officer can check in at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    /// Stable id, e.g. `s01-g1`.
    pub id: String,
    /// The school this gate belongs to (its peak windows apply here).
    #[serde(default)]
    pub school_id: String,
    /// School name as people say it (Chinese first).
    pub school: String,
    /// Gate name, e.g. 南门.
    pub gate: String,
}

impl Post {
    /// What a picker shows: school and gate.
    pub fn label(&self) -> String {
        format!("{} · {}", self.school, self.gate)
    }
}

/// Demo schools and gates used until posts can be managed on the server.
pub fn demo_posts() -> Vec<Post> {
    [
        ("s01-g1", "s01", "实验小学", "南门"),
        ("s01-g2", "s01", "实验小学", "北门"),
        ("s02-g1", "s02", "第一中学", "正门"),
        ("s03-g1", "s03", "育才小学", "东门"),
        ("s04-g1", "s04", "阳光幼儿园", "正门"),
    ]
    .into_iter()
    .map(|(id, school_id, school, gate)| Post {
        id: id.into(),
        school_id: school_id.into(),
        school: school.into(),
        gate: gate.into(),
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_post_ids_are_unique_and_valid() {
        let posts = demo_posts();
        let mut ids: Vec<_> = posts.iter().map(|p| p.id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), posts.len());
        assert!(posts.iter().all(|p| crate::record::valid_post_id(&p.id)));
    }
}
