//! The sales funnel and its conversion rates: traffic → contact kept (留档) → test drive →
//! order → delivery. Rates are in basis points (1/100 of a percent) so reports stay exact.

/// The funnel's stages, in order.
pub const STAGES: [&str; 5] = [
    "traffic",
    "contacts_kept",
    "test_drives",
    "orders",
    "deliveries",
];

/// How many reached each stage in a period (one row of the report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FunnelCounts {
    pub traffic: u64,
    pub contacts_kept: u64,
    pub test_drives: u64,
    pub orders: u64,
    pub deliveries: u64,
}

/// Conversion rates in basis points; `None` when the base is zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FunnelRates {
    /// Contacts kept per visit (留档率).
    pub contact_rate: Option<u32>,
    /// Test drives per contact kept.
    pub test_drive_rate: Option<u32>,
    /// Orders per contact kept (the consultant's conversion).
    pub order_rate: Option<u32>,
    /// Deliveries per order.
    pub delivery_rate: Option<u32>,
}

/// `part / whole` in basis points, rounded half up; `None` for an empty whole.
pub fn basis_points(part: u64, whole: u64) -> Option<u32> {
    if whole == 0 {
        return None;
    }
    let scaled = (u128::from(part) * 10_000 * 2 + u128::from(whole)) / (u128::from(whole) * 2);
    u32::try_from(scaled).ok()
}

impl FunnelCounts {
    pub fn stage(&mut self, name: &str) -> Option<&mut u64> {
        match name {
            "traffic" => Some(&mut self.traffic),
            "contacts_kept" => Some(&mut self.contacts_kept),
            "test_drives" => Some(&mut self.test_drives),
            "orders" => Some(&mut self.orders),
            "deliveries" => Some(&mut self.deliveries),
            _ => None,
        }
    }

    pub fn rates(&self) -> FunnelRates {
        FunnelRates {
            contact_rate: basis_points(self.contacts_kept, self.traffic),
            test_drive_rate: basis_points(self.test_drives, self.contacts_kept),
            order_rate: basis_points(self.orders, self.contacts_kept),
            delivery_rate: basis_points(self.deliveries, self.orders),
        }
    }

    pub fn add(&mut self, other: &FunnelCounts) {
        self.traffic += other.traffic;
        self.contacts_kept += other.contacts_kept;
        self.test_drives += other.test_drives;
        self.orders += other.orders;
        self.deliveries += other.deliveries;
    }
}

/// A basis-point rate as a percentage for display: 1234 → "12.34%".
pub fn percent(rate: Option<u32>) -> String {
    match rate {
        Some(bp) => format!("{}.{:02}%", bp / 100, bp % 100),
        None => "—".to_owned(),
    }
}

/// Age buckets of open leads, in days since creation: 0–7, 8–30, 31–90, over 90.
pub const AGE_BUCKETS: [(u32, Option<u32>); 4] =
    [(0, Some(7)), (8, Some(30)), (31, Some(90)), (91, None)];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_follow_the_funnel_and_round_half_up() {
        let counts = FunnelCounts {
            traffic: 300,
            contacts_kept: 180,
            test_drives: 60,
            orders: 27,
            deliveries: 25,
        };
        let rates = counts.rates();
        assert_eq!(rates.contact_rate, Some(6_000));
        assert_eq!(rates.test_drive_rate, Some(3_333));
        assert_eq!(rates.order_rate, Some(1_500));
        assert_eq!(rates.delivery_rate, Some(9_259));
        assert_eq!(basis_points(2, 3), Some(6_667));
        assert_eq!(basis_points(1, 0), None);
    }

    #[test]
    fn rates_show_as_percentages() {
        assert_eq!(percent(Some(1_234)), "12.34%");
        assert_eq!(percent(Some(5)), "0.05%");
        assert_eq!(percent(None), "—");
    }

    #[test]
    fn counts_add_up_and_name_their_stages() {
        let mut total = FunnelCounts::default();
        for name in STAGES {
            *total.stage(name).unwrap() += 1;
        }
        total.add(&FunnelCounts {
            traffic: 2,
            ..FunnelCounts::default()
        });
        assert_eq!((total.traffic, total.deliveries), (3, 1));
        assert!(total.stage("leads").is_none());
    }
}
