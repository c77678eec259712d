//! Per-client records of operations still in progress: a client has only a handful at a
//! time, so a short vector per client is quicker than a shared ordered map.

use crate::cell::ids::ClientNo;

/// Values keyed by `(client, operation id)`.
#[derive(Clone, Debug, Hash)]
pub struct PerClient<V> {
    by_client: Vec<Vec<(u64, V)>>,
}

impl<V> PerClient<V> {
    pub fn new(clients: u32) -> PerClient<V> {
        PerClient {
            by_client: (0..clients).map(|_| Vec::new()).collect(),
        }
    }

    pub fn insert(&mut self, client: ClientNo, op: u64, value: V) {
        self.by_client[client.idx()].push((op, value));
    }

    pub fn remove(&mut self, client: ClientNo, op: u64) -> Option<V> {
        let list = &mut self.by_client[client.idx()];
        let i = list.iter().position(|(o, _)| *o == op)?;
        Some(list.swap_remove(i).1)
    }

    /// Take every record of `client`.
    pub fn take(&mut self, client: ClientNo) -> Vec<(u64, V)> {
        std::mem::take(&mut self.by_client[client.idx()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_by_client_and_operation() {
        let (c0, c1) = (ClientNo(0), ClientNo(1));
        let mut p = PerClient::new(2);
        p.insert(c0, 7, "a");
        p.insert(c1, 7, "b");
        p.insert(c0, 8, "c");
        assert_eq!(p.remove(c0, 7), Some("a"));
        assert_eq!(p.remove(c0, 7), None);
        assert_eq!(p.take(c0), vec![(8, "c")]);
        assert_eq!(p.remove(c1, 7), Some("b"));
    }
}
