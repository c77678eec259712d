use super::*;
use crate::cell::ids::{ServerNo, Term};

/// Position `seq` of term `number` (of `fs0`).
fn at(number: u32, seq: u32) -> Pos {
    let term = Term {
        number,
        server: ServerNo(0),
    };
    Pos { term, seq }
}

#[test]
fn updates_apply_only_in_order() {
    let mut v = Volume::new(2);
    let w = WriteId {
        client: ClientNo(3),
        file: FileNo(1),
        seq: 1,
    };
    let pos = Pos {
        term: Default::default(),
        seq: 1,
    };
    let up = Update::Write {
        pos,
        write: w,
        place: pos,
        callback: None,
    };
    assert!(v.follows(&up));
    v.apply(&up, Instant::ZERO);
    assert!(v.has(w));
    assert_eq!(v.files[1].current.write, Some(w));
    assert!(!v.follows(&up), "the same update twice");
}

#[test]
fn a_client_s_latest_writes_keep_their_positions() {
    let mut v = Volume::new(4);
    let total = RECENT_WRITES_KEPT as u32 + 2;
    for seq in 1..=total {
        let pos = Pos {
            term: Default::default(),
            seq,
        };
        let up = Update::Write {
            pos,
            write: WriteId {
                client: ClientNo(7),
                file: FileNo(seq % 4),
                seq,
            },
            place: pos,
            callback: None,
        };
        v.apply(&up, Instant::ZERO);
    }
    let w = |seq: u32| WriteId {
        client: ClientNo(7),
        file: FileNo(seq % 4),
        seq,
    };
    assert!((1..=total).all(|seq| v.has(w(seq))));
    assert!(v.writes[7].seqs.ranges().eq([(1, total)]), "one range");
    assert_eq!(v.applied(w(total)).map(|a| a.pos.seq), Some(total));
    assert_eq!(v.applied(w(3)).map(|a| a.pos.seq), Some(3));
    assert_eq!(v.applied(w(2)), None, "too old to say");
}

#[test]
fn a_late_replay_takes_its_old_place_and_leaves_the_newer_write() {
    let w = |client, seq| WriteId {
        client: ClientNo(client),
        file: FileNo(0),
        seq,
    };
    let mut v = Volume::new(1);
    v.version = at(2, 10);
    // The newer write's replay arrives first, the older one's second.
    for (seq, write, place) in [(11, w(1, 51), at(1, 8)), (12, w(4, 71), at(1, 7))] {
        let pos = at(2, seq);
        v.apply(
            &Update::Write {
                pos,
                write,
                place,
                callback: None,
            },
            Instant::ZERO,
        );
    }
    assert!(v.has(w(4, 71)), "recorded");
    assert_eq!(
        v.files[0].current.write,
        Some(w(1, 51)),
        "not made the content"
    );
    assert_eq!(v.files[0].current.place, at(1, 8));
    assert!(v.would_lead(FileNo(0), at(2, 12)) && !v.would_lead(FileNo(0), at(1, 7)));
}

#[test]
fn a_new_term_extends_only_the_replica_it_was_built_on() {
    let mut base = Volume::new(1);
    base.version = at(1, 7);
    let mut diverged = Volume::new(1);
    diverged.version = at(1, 8);
    let begin = Update::Begin {
        pos: at(2, 8),
        base: at(1, 7),
    };
    assert!(base.follows(&begin));
    assert!(!diverged.follows(&begin), "same sequence, other history");
    let next = Update::Unlock {
        pos: at(2, 9),
        file: FileNo(0),
        lock: Default::default(),
    };
    assert!(
        !diverged.follows(&next),
        "a new term's update on an old term"
    );
    base.apply(&begin, Instant::ZERO);
    assert!(base.follows(&next));
}
