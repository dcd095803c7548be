"""The planner's own coercion of text variables gives what graphql-core's gives, and leaves
every other case to graphql-core (whose errors send the request down the reference path)."""

from __future__ import annotations

from typing import Any

from graphql.execution.values import get_variable_values
from hypothesis import given
from hypothesis import strategies as st

from gateway.limits import QueryLimits
from resolvers.plan.planner import Planner
from resolvers.schema import schema

QUERY = """
query Q($id: ID!, $after: String, $other: ID!) {
  customer(id: $id) { name }
  a: customer(id: $other) { id }
  customers(after: $after) { nodes { name } }
}
"""
VALUES = st.one_of(
    st.text(max_size=5),
    st.none(),
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=False),
    st.lists(st.text(max_size=2), max_size=2),
)
planner = Planner(schema._schema, QueryLimits())
prepared = planner.prepare(QUERY, None)


@given(st.dictionaries(st.sampled_from(["id", "after", "other", "extra"]), VALUES))
def test_text_variables_coerce_as_graphql_core_coerces_them(variables: dict[str, Any]) -> None:
    assert prepared is not None and prepared.text_variables is not None
    expected = get_variable_values(schema._schema, prepared.plan.variable_definitions, variables)
    got = prepared.variables(schema._schema, variables)
    if isinstance(expected, list):
        assert isinstance(got, list)
        assert [e.message for e in got] == [e.message for e in expected]
    else:
        assert got.coerced == expected.coerced
        assert _sources(got) == _sources(expected)


def _sources(values: Any) -> dict[str, Any]:
    return {
        name: (source.value, str(source.signature.type), source.signature.default_value)
        for name, source in values.sources.items()
    }


def test_variables_of_other_types_or_with_defaults_are_left_to_graphql_core() -> None:
    for query in (
        'query Q($id: ID! = "x") { customer(id: $id) { name } }',
        "query Q($first: Int) { customers(first: $first) { nodes { name } } }",
    ):
        found = planner.prepare(query, None)
        assert found is not None and found.text_variables is None, query
