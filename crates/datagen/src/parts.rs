//! A dealer group's parts department, for the parts reports' benchmark: the group's catalogue
//! and, over the days before "today", every stock movement of every store in time order —
//! issues to repair orders, the receipts that refill the shelf, returns from the workshop and
//! adjustments by hand — with the stock each store's line ends with.
//!
//! The shape follows a 4S parts counter: a few parts move every day (filters, oil, brake pads),
//! most move a few times a year; about one stocked part in six was last received more than a
//! year ago and never moved since (呆滞, dead stock) and one in ten sits in the 7–12 month
//! warning band; nine issues in ten are filled from the shelf at the first request. Each line's
//! stock is simulated with the domain's moving-average cost, so every movement's `on_hand_after`
//! and the line's final stock and `last_moved_at` agree with its movements. Times are UTC during
//! the workshop's hours in China (08:00–18:00 UTC+8). Quantities are hundredths of the part's
//! unit, money is fen.

use std::collections::VecDeque;

use chrono::{Days, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use fours_domain::parts::costing::Position;
use fours_domain::parts::{AdjustmentReason, MovementKind};
use rand::{Rng as _, SeedableRng};

use crate::Rng;
use crate::scramble::Permutation;
use crate::vehicles::catalogue;
use crate::weighted::{Weighted, pick};

/// The size of the group's parts business and of its history.
#[derive(Debug, Clone, Copy)]
pub struct PartsShape {
    pub stores: usize,
    /// Parts in the group's catalogue.
    pub parts: usize,
    /// Catalogue parts each store keeps on its shelves (at most `parts`).
    pub stocked_per_store: usize,
    /// Stock movements of all stores together, spread evenly over the days.
    pub movements: u64,
    /// Days of history, ending yesterday.
    pub days: u32,
}

/// One catalogue part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedPart {
    /// Unique within the catalogue (maker style: `06L11556200A`).
    pub part_number: String,
    /// What it is and what it fits: `机油滤清器 迈腾`.
    pub name: String,
    pub brand: &'static str,
    pub category: &'static str,
    pub unit: &'static str,
    pub retail_price_fen: i64,
    pub cost_price_fen: i64,
    /// Area-shelf-level, as `fours_domain::parts::parse_bin_code` reads it.
    pub default_bin: String,
}

/// One change of one store's stock of one part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeneratedMovement {
    pub store: usize,
    /// Index into [`PartsGenerator::catalogue`].
    pub part: usize,
    pub kind: MovementKind,
    /// Signed hundredths (+ in, − out).
    pub quantity: i64,
    pub unit_cost_fen: i64,
    pub on_hand_after: i64,
    /// UTC.
    pub at: NaiveDateTime,
    /// Issues only.
    pub filled_first_time: Option<bool>,
    /// Adjustments only.
    pub reason: Option<AdjustmentReason>,
}

/// A store's stock of one part once the history is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeneratedStock {
    pub store: usize,
    pub part: usize,
    pub on_hand: i64,
    pub average_cost_fen: i64,
    /// UTC: the line's last movement.
    pub last_moved_at: NaiveDateTime,
}

/// What kind of part a catalogue entry is: name, category, unit, retail price range (fen per
/// unit), the first characters of its part numbers, the hundredths one repair-order line takes,
/// and its share of the catalogue.
type Template = (
    &'static str,
    &'static str,
    &'static str,
    (i64, i64),
    &'static str,
    &'static [(i64, u32)],
    u32,
);

const PIECES: &[(i64, u32)] = &[(100, 75), (200, 18), (400, 7)];
const ONE: &[(i64, u32)] = &[(100, 1)];
const LITRES: &[(i64, u32)] = &[(100, 10), (400, 35), (450, 30), (500, 25)];
const SMALL: &[(i64, u32)] = &[(100, 30), (200, 25), (400, 25), (1000, 20)];

#[rustfmt::skip]
const TEMPLATES: &[Template] = &[
    ("机油滤清器", "保养件", "个", (4_500, 16_000), "06L", PIECES, 6),
    ("空气滤清器", "保养件", "个", (6_000, 22_000), "5Q0", PIECES, 5),
    ("空调滤清器", "保养件", "个", (5_000, 18_000), "5QD", PIECES, 5),
    ("燃油滤清器", "保养件", "个", (9_000, 35_000), "1K0", PIECES, 3),
    ("火花塞", "点火", "个", (4_000, 12_000), "101", SMALL, 4),
    ("前刹车片", "制动", "套", (35_000, 120_000), "3QD", ONE, 5),
    ("后刹车片", "制动", "套", (28_000, 90_000), "3QF", ONE, 4),
    ("刹车盘", "制动", "个", (40_000, 150_000), "5QE", PIECES, 3),
    ("雨刮片", "易损件", "套", (8_000, 30_000), "3G1", ONE, 4),
    ("机油 5W-30", "油液", "升", (6_000, 14_000), "G05", LITRES, 3),
    ("防冻液", "油液", "升", (3_000, 8_000), "G13", LITRES, 2),
    ("刹车油", "油液", "升", (5_000, 12_000), "B00", LITRES, 2),
    ("变速箱油", "油液", "升", (9_000, 25_000), "G05", LITRES, 2),
    ("正时皮带套件", "发动机", "套", (90_000, 300_000), "06K", ONE, 3),
    ("水泵", "发动机", "个", (60_000, 220_000), "06H", ONE, 3),
    ("前减震器", "底盘", "个", (60_000, 250_000), "5QA", PIECES, 4),
    ("下摆臂", "底盘", "个", (45_000, 160_000), "5QM", PIECES, 4),
    ("蓄电池", "电气", "个", (60_000, 180_000), "JZW", ONE, 3),
    ("大灯总成", "电气", "个", (180_000, 800_000), "3G8", ONE, 4),
    ("前保险杠", "钣金件", "个", (120_000, 450_000), "3G0", ONE, 5),
    ("翼子板", "钣金件", "个", (60_000, 200_000), "3GD", ONE, 4),
    ("外后视镜", "钣金件", "个", (50_000, 250_000), "3G9", ONE, 4),
    ("车门密封条", "内外饰", "条", (8_000, 40_000), "3G4", PIECES, 5),
    ("内饰卡扣", "内外饰", "个", (200, 2_000), "N90", SMALL, 6),
    ("螺栓", "标准件", "个", (300, 3_000), "N91", SMALL, 7),
];

const BRANDS: &[(&str, u32)] = &[
    ("原厂", 70),
    ("博世", 8),
    ("马勒", 5),
    ("曼牌", 5),
    ("菲罗多", 4),
    ("NGK", 3),
    ("法雷奥", 5),
];

/// Workshop hours (UTC, 08:00–18:00 in China): morning and afternoon peaks.
const HOURS: &[(i64, u32)] = &[
    (0, 6),
    (1, 14),
    (2, 14),
    (3, 11),
    (4, 4),
    (5, 6),
    (6, 13),
    (7, 13),
    (8, 11),
    (9, 8),
];

/// How often a stocked part is asked for, relative to the others: fast, regular, slow.
const POPULARITY: &[(u32, u32)] = &[(60, 5), (12, 25), (2, 70)];

/// Days kept between a line's last movement and the edges of the warning band, so that a
/// report asked a few days after the data was made still sees the same bands.
const BAND_MARGIN: u64 = 5;

/// Part numbers' serials are a keyed permutation of the catalogue index (unique up to 100M).
const PART_NUMBER_DOMAIN: u64 = 0x7061_7274;

/// One store's stock of one part while the history runs.
struct Line {
    store: u32,
    part: u32,
    position: Position,
    last_moved_at: Option<NaiveDateTime>,
    /// Day index of the line's last movement (a receipt that never sells), or `u32::MAX` for a
    /// part that keeps moving.
    until: u32,
}

/// The catalogue, then a stream of movements in time order; an [`Iterator`] that ends
/// yesterday, after which [`stock`](Self::stock) gives each line as it stands.
pub struct PartsGenerator {
    rng: Rng,
    first_day: NaiveDate,
    days: u32,
    catalogue: Vec<GeneratedPart>,
    /// Usual quantity table of each catalogue part.
    quantities: Vec<&'static [(i64, u32)]>,
    lines: Vec<Line>,
    popularity: Weighted,
    /// Per day, the lines whose last movement falls on it.
    last_receipts: Vec<Vec<u32>>,
    /// Movements still to make.
    remaining: u64,
    /// The next day to make.
    day: u32,
    pending: VecDeque<GeneratedMovement>,
}

impl PartsGenerator {
    pub fn new(seed: u64, today: NaiveDate, shape: PartsShape) -> Self {
        let mut rng = Rng::seed_from_u64(seed);
        let days = shape.days.max(1);
        let first_day = today - Days::new(u64::from(days));
        let templates = Weighted::new(TEMPLATES.iter().map(|t| t.6));
        let numbers = Permutation::new(10_000, 10_000, seed, PART_NUMBER_DOMAIN);
        let models = catalogue();
        let mut parts = Vec::with_capacity(shape.parts);
        let mut quantities = Vec::with_capacity(shape.parts);
        for index in 0..shape.parts {
            let (name, category, unit, (low, high), prefix, usual, _) =
                TEMPLATES[templates.sample(&mut rng)];
            let series = models[rng.random_range(0..models.len())].series;
            let retail = rng.random_range(low..=high) / 100 * 100;
            let serial = numbers.apply(index as u64);
            let suffix = pick(&mut rng, &[("", 3), ("A", 2), ("B", 1), ("C", 1), ("D", 1)]);
            parts.push(GeneratedPart {
                part_number: format!(
                    "{prefix}{:03}{:05}{suffix}",
                    serial / 100_000,
                    serial % 100_000
                ),
                name: format!("{name} {series}"),
                brand: pick(&mut rng, BRANDS),
                category,
                unit,
                retail_price_fen: retail,
                cost_price_fen: retail * rng.random_range(55..=72) / 100,
                default_bin: format!(
                    "{}-{}-{}",
                    char::from(b'A' + rng.random_range(0..8u8)),
                    rng.random_range(1..=40),
                    rng.random_range(1..=6)
                ),
            });
            quantities.push(usual);
        }
        let mut generator = PartsGenerator {
            rng,
            first_day,
            days,
            catalogue: parts,
            quantities,
            lines: Vec::new(),
            popularity: Weighted::new([1]),
            last_receipts: vec![Vec::new(); days as usize],
            remaining: shape.movements,
            day: 0,
            pending: VecDeque::new(),
        };
        generator.stock_stores(today, shape);
        generator
    }

    /// Which parts each store keeps, how popular each line is and when the lines that stop
    /// moving get their last receipt.
    fn stock_stores(&mut self, today: NaiveDate, shape: PartsShape) {
        let stocked = shape.stocked_per_store.min(shape.parts);
        let day_of = |date: NaiveDate| {
            let index = (date - self.first_day)
                .num_days()
                .clamp(0, i64::from(self.days) - 1);
            index as u32
        };
        let months_ago = |months: u32| today.checked_sub_months(Months::new(months));
        let warning = (
            months_ago(12).map_or(0, |d| day_of(d + Days::new(BAND_MARGIN))),
            months_ago(7).map_or(0, |d| day_of(d - Days::new(BAND_MARGIN))),
        );
        let dead = months_ago(12).map_or(0, |d| day_of(d - Days::new(BAND_MARGIN)));
        let mut weights = Vec::with_capacity(shape.stores * stocked);
        let mut order: Vec<u32> = (0..shape.parts as u32).collect();
        for store in 0..shape.stores {
            for i in 0..stocked {
                let j = self.rng.random_range(i..order.len());
                order.swap(i, j);
            }
            let mut kept = order[..stocked].to_vec();
            kept.sort_unstable();
            for part in kept {
                let fate = pick(&mut self.rng, &[(0u8, 75), (1, 10), (2, 15)]);
                let until = match fate {
                    1 => self.rng.random_range(warning.0..=warning.1.max(warning.0)),
                    2 => self.rng.random_range(0..=dead),
                    _ => u32::MAX,
                };
                if until != u32::MAX {
                    self.last_receipts[until as usize].push(self.lines.len() as u32);
                }
                weights.push(pick(&mut self.rng, POPULARITY));
                self.lines.push(Line {
                    store: store as u32,
                    part,
                    // An empty shelf is valued at the list cost, as the store's first stock row is.
                    position: Position {
                        on_hand: 0,
                        average_cost_fen: self.catalogue[part as usize].cost_price_fen,
                    },
                    last_moved_at: None,
                    until,
                });
            }
        }
        if !weights.is_empty() {
            self.popularity = Weighted::new(weights);
        }
    }

    /// The group's catalogue, in the order movements refer to it.
    pub fn catalogue(&self) -> &[GeneratedPart] {
        &self.catalogue
    }

    /// Every line that has moved, as it stands now (after the stream, as it stands at its end).
    pub fn stock(&self) -> impl Iterator<Item = GeneratedStock> + '_ {
        self.lines.iter().filter_map(|line| {
            Some(GeneratedStock {
                store: line.store as usize,
                part: line.part as usize,
                on_hand: line.position.on_hand,
                average_cost_fen: line.position.average_cost_fen,
                last_moved_at: line.last_moved_at?,
            })
        })
    }

    /// Makes one day's movements: the last receipts due that day, then the day's share of
    /// what remains at sorted moments of the workshop's hours.
    fn make_day(&mut self) {
        let day = self.day;
        let date = self.first_day + Days::new(u64::from(day));
        let midnight = date.and_time(NaiveTime::MIN);
        let days_left = u64::from(self.days - day);
        let budget = if days_left == 1 || self.lines.is_empty() {
            self.remaining
        } else {
            (self.remaining / days_left * self.rng.random_range(85..=115) / 100).min(self.remaining)
        };
        let mut made = Vec::with_capacity(budget as usize);
        for line in std::mem::take(&mut self.last_receipts[day as usize]) {
            let at = midnight + TimeDelta::seconds(self.rng.random_range(1_800..3_600));
            made.push(self.receipt(line as usize, 0, at));
        }
        let mut moments: Vec<i64> = (0..budget.saturating_sub(made.len() as u64))
            .map(|_| pick(&mut self.rng, HOURS) * 3_600 + self.rng.random_range(0..3_600))
            .collect();
        moments.sort_unstable();
        let mut slot = 0;
        while slot < moments.len() && !self.lines.is_empty() {
            let at = |slot: usize| midnight + TimeDelta::seconds(moments[slot]);
            slot += 1;
            let Some(line) = self.active_line(day) else {
                continue;
            };
            let kind = pick(
                &mut self.rng,
                &[
                    (MovementKind::Issue, 90),
                    (MovementKind::Return, 5),
                    (MovementKind::Adjustment, 5),
                ],
            );
            let quantity = pick(
                &mut self.rng,
                self.quantities[self.lines[line].part as usize],
            );
            let on_hand = self.lines[line].position.on_hand;
            match kind {
                MovementKind::Issue if on_hand < quantity => {
                    // The shelf is refilled first; with no moment left today, that is all.
                    made.push(self.receipt(line, quantity, at(slot - 1)));
                    if slot < moments.len() {
                        slot += 1;
                        made.push(self.issue(line, quantity, at(slot - 1)));
                    }
                }
                MovementKind::Issue => made.push(self.issue(line, quantity, at(slot - 1))),
                MovementKind::Adjustment if on_hand >= quantity && self.rng.random_ratio(1, 2) => {
                    let reason = pick(
                        &mut self.rng,
                        &[
                            (AdjustmentReason::Damaged, 5),
                            (AdjustmentReason::Lost, 3),
                            (AdjustmentReason::Expired, 2),
                        ],
                    );
                    made.push(self.change(line, -quantity, kind, Some(reason), at(slot - 1)));
                }
                MovementKind::Adjustment => {
                    let reason = pick(
                        &mut self.rng,
                        &[
                            (AdjustmentReason::Found, 2),
                            (AdjustmentReason::Correction, 1),
                        ],
                    );
                    made.push(self.change(line, quantity, kind, Some(reason), at(slot - 1)));
                }
                _ => made.push(self.change(line, quantity, kind, None, at(slot - 1))),
            }
        }
        // Stable: a receipt stays before the issue it was made for.
        made.sort_by_key(|m| m.at);
        self.remaining = self.remaining.saturating_sub(made.len() as u64);
        self.pending.extend(made);
        self.day += 1;
    }

    /// A line that still moves on `day`, drawn by popularity.
    fn active_line(&mut self, day: u32) -> Option<usize> {
        (0..64)
            .map(|_| self.popularity.sample(&mut self.rng))
            .find(|&line| self.lines[line].until > day)
    }

    /// Goods in from the supplier: several times the usual line, at about the list cost.
    fn receipt(&mut self, line: usize, at_least: i64, at: NaiveDateTime) -> GeneratedMovement {
        let part = &self.catalogue[self.lines[line].part as usize];
        let usual = self.quantities[self.lines[line].part as usize][0].0;
        let quantity = at_least.max(usual) * self.rng.random_range(3..=10);
        let cost = part.cost_price_fen * self.rng.random_range(95..=105) / 100;
        self.change_at_cost(line, quantity, MovementKind::Receipt, None, cost, at)
    }

    fn issue(&mut self, line: usize, quantity: i64, at: NaiveDateTime) -> GeneratedMovement {
        let mut issued = self.change(line, -quantity, MovementKind::Issue, None, at);
        issued.filled_first_time = Some(self.rng.random_ratio(9, 10));
        issued
    }

    /// A movement at the line's average cost (returns and adjustments, like the store's).
    fn change(
        &mut self,
        line: usize,
        quantity: i64,
        kind: MovementKind,
        reason: Option<AdjustmentReason>,
        at: NaiveDateTime,
    ) -> GeneratedMovement {
        let cost = self.lines[line].position.average_cost_fen;
        self.change_at_cost(line, quantity, kind, reason, cost, at)
    }

    fn change_at_cost(
        &mut self,
        line: usize,
        quantity: i64,
        kind: MovementKind,
        reason: Option<AdjustmentReason>,
        cost: i64,
        at: NaiveDateTime,
    ) -> GeneratedMovement {
        let stock = &mut self.lines[line];
        let before = stock.position;
        stock.position = if quantity > 0 {
            before.receive(quantity, cost).unwrap_or(before)
        } else {
            before.take(-quantity, false).unwrap_or(before)
        };
        stock.last_moved_at = Some(at);
        GeneratedMovement {
            store: stock.store as usize,
            part: stock.part as usize,
            kind,
            quantity,
            unit_cost_fen: cost,
            on_hand_after: stock.position.on_hand,
            at,
            filled_first_time: None,
            reason,
        }
    }
}

impl Iterator for PartsGenerator {
    type Item = GeneratedMovement;

    fn next(&mut self) -> Option<GeneratedMovement> {
        while self.pending.is_empty() && self.day < self.days {
            self.make_day();
        }
        self.pending.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap, HashSet};

    use fours_domain::parts::analysis::{Ageing, AgeingPolicy};
    use fours_domain::parts::{parse_bin_code, parse_part_number};

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    fn shape() -> PartsShape {
        PartsShape {
            stores: 3,
            parts: 2_000,
            stocked_per_store: 800,
            movements: 60_000,
            days: 1095,
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_history() {
        let run = || {
            let mut generator = PartsGenerator::new(3, today(), shape());
            let moves: Vec<_> = generator.by_ref().take(3_000).collect();
            (generator.catalogue().to_vec(), moves)
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn the_catalogue_is_valid_and_unique() {
        let generator = PartsGenerator::new(1, today(), shape());
        let mut numbers = HashSet::new();
        for part in generator.catalogue() {
            assert_eq!(
                parse_part_number(&part.part_number).as_ref(),
                Ok(&part.part_number)
            );
            assert!(
                numbers.insert(part.part_number.clone()),
                "{}",
                part.part_number
            );
            assert!(
                parse_bin_code(&part.default_bin).is_ok(),
                "{}",
                part.default_bin
            );
            assert!(0 < part.cost_price_fen && part.cost_price_fen < part.retail_price_fen);
        }
    }

    #[test]
    fn every_line_agrees_with_its_movements() {
        let mut generator = PartsGenerator::new(2, today(), shape());
        let moves: Vec<_> = generator.by_ref().collect();
        assert_eq!(moves.len() as u64, shape().movements);
        let end = today().and_time(NaiveTime::MIN);
        let mut last = HashMap::new();
        let mut previous = NaiveDateTime::MIN;
        for m in &moves {
            assert!(previous <= m.at && m.at < end, "{m:?}");
            previous = m.at;
            let before = last
                .get(&(m.store, m.part))
                .map_or(0, |(_, on_hand)| *on_hand);
            assert_eq!(before + m.quantity, m.on_hand_after, "{m:?}");
            assert!(m.on_hand_after >= 0);
            assert_eq!(m.filled_first_time.is_some(), m.kind == MovementKind::Issue);
            assert_eq!(m.reason.is_some(), m.kind == MovementKind::Adjustment);
            assert_eq!(
                m.quantity < 0,
                matches!(m.kind, MovementKind::Issue)
                    || m.reason.is_some_and(|r| matches!(
                        r,
                        AdjustmentReason::Damaged
                            | AdjustmentReason::Lost
                            | AdjustmentReason::Expired
                    ))
            );
            last.insert((m.store, m.part), (m.at, m.on_hand_after));
        }
        let stock: Vec<_> = generator.stock().collect();
        assert_eq!(stock.len(), last.len());
        for line in stock {
            assert_eq!(
                last[&(line.store, line.part)],
                (line.last_moved_at, line.on_hand)
            );
            assert!(line.average_cost_fen > 0);
        }
    }

    #[test]
    fn the_shelves_have_a_parts_counters_shape() {
        let mut generator = PartsGenerator::new(4, today(), shape());
        let moves: Vec<_> = generator.by_ref().collect();
        let share = |test: &dyn Fn(&GeneratedMovement) -> bool| {
            moves.iter().filter(|m| test(m)).count() as f64 / moves.len() as f64
        };
        let issues = share(&|m| m.kind == MovementKind::Issue);
        assert!((0.72..0.85).contains(&issues), "{issues}");
        let receipts = share(&|m| m.kind == MovementKind::Receipt);
        assert!((0.08..0.2).contains(&receipts), "{receipts}");
        let filled = share(&|m| m.filled_first_time == Some(true)) / issues;
        assert!((0.88..0.92).contains(&filled), "{filled}");
        let policy = AgeingPolicy::default();
        let mut ageing = BTreeMap::new();
        let stock: Vec<_> = generator.stock().collect();
        // What the dead-stock report counts: aged lines with something on the shelf.
        for line in stock.iter().filter(|line| line.on_hand > 0) {
            let state = policy.classify(line.last_moved_at.date(), today());
            *ageing.entry(state).or_insert(0usize) += 1;
        }
        let part = |state| ageing.get(&state).copied().unwrap_or(0) as f64 / stock.len() as f64;
        eprintln!("{ageing:?} of {}", stock.len());
        assert!((0.14..0.25).contains(&part(Ageing::Dead)), "{ageing:?}");
        assert!((0.09..0.2).contains(&part(Ageing::Warning)), "{ageing:?}");
    }
}
