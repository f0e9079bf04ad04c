"""The input format: the 16 columns of ``user_profiles_for_ads.csv`` and their levels.

This is the one place in Python that knows the public format. The SQL side keeps
its own copy of the levels in ``macros/profile_levels.sql``; a pytest test checks
that the two agree.
"""

from __future__ import annotations

import re

# (header in the file, snake_case name used everywhere after staging)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("User ID", "user_id"),
    ("Age", "age"),
    ("Gender", "gender"),
    ("Location", "location"),
    ("Language", "language"),
    ("Education Level", "education_level"),
    ("Likes and Reactions", "likes_and_reactions"),
    ("Followed Accounts", "followed_accounts"),
    ("Device Usage", "device_usage"),
    ("Time Spent Online (hrs/weekday)", "weekday_hours_online"),
    ("Time Spent Online (hrs/weekend)", "weekend_hours_online"),
    ("Click-Through Rates (CTR)", "click_through_rate"),
    ("Conversion Rates", "conversion_rate"),
    ("Ad Interaction Time (sec)", "ad_interaction_seconds"),
    ("Income Level", "income_level"),
    ("Top Interests", "top_interests"),
)

HEADERS: tuple[str, ...] = tuple(header for header, _ in COLUMNS)
NUMERIC_COLUMNS: tuple[str, ...] = (
    "likes_and_reactions",
    "followed_accounts",
    "weekday_hours_online",
    "weekend_hours_online",
    "click_through_rate",
    "conversion_rate",
    "ad_interaction_seconds",
)

LEVELS: dict[str, tuple[str, ...]] = {
    "age": ("18-24", "25-34", "35-44", "45-54", "55-64", "65+"),
    "gender": ("Female", "Male"),
    "location": ("Urban", "Suburban", "Rural"),
    "language": ("English", "Spanish", "Mandarin", "Hindi"),
    "education_level": ("High School", "Technical", "Bachelor", "Master", "PhD"),
    "device_usage": ("Desktop Only", "Mobile Only", "Mobile + Desktop", "Tablet"),
    "income_level": ("0-20k", "20k-40k", "40k-60k", "60k-80k", "80k-100k", "100k+"),
}

INTERESTS: tuple[str, ...] = (
    "Data Science",
    "DIY Crafts",
    "Digital Marketing",
    "Eco-Friendly Living",
    "Fashion Modelling",
    "Fitness and Wellness",
    "Gaming",
    "Gardening",
    "Gourmet Cooking",
    "Investing and Finance",
    "Music Production",
    "Pet Care",
    "Photography",
    "Reading and Literature",
    "Software Engineering",
    "Travel and Adventure",
)


def normalise_header(name: str) -> str:
    """Fold a header for matching: case, spaces, underscores and punctuation do not count.

    ``User_ID``, ``user id`` and ``"User ID "`` all fold to ``userid``.
    """
    return re.sub(r"[^0-9a-z]+", "", name.lower())


HEADER_BY_KEY: dict[str, tuple[str, str]] = {normalise_header(header): (header, name) for header, name in COLUMNS}
