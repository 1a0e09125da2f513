def test_the_demo_events_are_each_review_at_its_time_and_each_lapsed_revisit_date():
    from datetime import UTC, datetime, timedelta

    from data.tracker.demo import demo_items, demo_tracker_events

    now = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    today = now.date()
    specification = demo_items(today)
    events = demo_tracker_events(now, "UTC")
    reviews = sorted((e.item_id, e.at) for e in events if e.kind == "reviewed")
    expected = sorted(
        (number, now - timedelta(days=days_ago))
        for number, (_, item_reviews) in enumerate(specification, start=1)
        for days_ago, *_ in item_reviews
    )
    assert reviews == expected
    lapsed = {
        number
        for number, (fields, _) in enumerate(specification, start=1)
        if fields.get("due_reason") or (fields["state"] == "parked" and fields["revisit_on"] <= today)
    }
    assert {e.item_id for e in events if e.kind == "came due"} == lapsed and lapsed
