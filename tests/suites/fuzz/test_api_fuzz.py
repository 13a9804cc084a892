"""Schemathesis against Ordo's own schema, in-process over WSGI, as a product owner and as a
stakeholder: every operation with all of Schemathesis' default checks, then its stateful phase,
which chains operations along the links it infers from the schema."""

import hypothesis
import pytest
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation

from tests.suites.fuzz.conftest import rolled_back
from tests.suites.fuzz.schema import bind, load_schema

schema = load_schema()
# The stakeholder's writes are refused (403, or 404 for the retrospective) before the body is
# read, so the coverage phase's boundary bodies would learn nothing the product owner's do not:
# its operations get the fuzzing phase only.
stakeholder_schema = load_schema(coverage=False)

# The world fixture is the persona's, shared by every example on purpose: each example runs in a
# savepoint that is rolled back, so none sees what another did.
SHARED_WORLD = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def as_persona(persona: str):
    """Run the test in `persona`'s world. The parametrization also names each operation's test:
    pytest 9.2 builds node ids from it, not from the name Schemathesis gives the item."""
    return pytest.mark.parametrize("world", [persona], indirect=True)


@as_persona("product_owner")
@schema.parametrize()
@SHARED_WORLD
def test_the_api_keeps_to_its_schema_for_a_product_owner(case, world):
    bind(case, world)
    with rolled_back():
        case.call_and_validate()


@as_persona("stakeholder")
@stakeholder_schema.parametrize()
@SHARED_WORLD
def test_the_api_keeps_to_its_schema_for_a_stakeholder(case, world):
    bind(case, world)
    with rolled_back():
        case.call_and_validate()


# The stateful phase: scenarios per persona, and steps at most in each (a step is one request,
# along a link Schemathesis inferred from the schema, or a fresh start). About 600 steps a
# persona, a third of them or more along links.
SCENARIOS = 50
STEPS = 12


def run_stateful(world) -> dict:
    """Schemathesis' stateful phase as `world`'s persona, each scenario in a savepoint rolled back
    at its end; how many steps it took, and how many of them followed a link."""
    counts = {"steps": 0, "linked": 0}

    class Machine(schema.as_state_machine()):
        def setup(self):
            self._scenario = rolled_back()
            self._scenario.__enter__()

        def teardown(self):
            self._scenario.__exit__(None, None, None)

        def step(self, input):
            # A step keeps the path parameters its link supplied; the others get their bindings.
            linked = {name for location, name in input.applied_parameters if location == ParameterLocation.PATH}
            bind(input.case, world, keep=linked)
            counts["steps"] += 1
            counts["linked"] += input.transition is not None
            return super().step(input)

    Machine.run(
        settings=hypothesis.settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    return counts


@as_persona("product_owner")
def test_stateful_scenarios_keep_to_the_schema_for_a_product_owner(world):
    assert run_stateful(world)["linked"] > 0


@as_persona("stakeholder")
def test_stateful_scenarios_keep_to_the_schema_for_a_stakeholder(world):
    assert run_stateful(world)["linked"] > 0
