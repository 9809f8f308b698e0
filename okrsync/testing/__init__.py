"""The conformance kit: one pytest suite every work-tracking connector passes.

Like the Singer SDK's standard tap tests: a connector author subclasses
``ConnectorConformance`` in a test module and gives it a ``conformance_case`` fixture
that yields a ``ConformanceCase`` for a running sandbox or server::

    from okrsync.testing import ConformanceCase, ConnectorConformance, Expected

    class TestMyTool(ConnectorConformance):
        @pytest.fixture
        def conformance_case(self, my_server) -> ConformanceCase:
            return ConformanceCase(connector=lambda: MyToolConnector("mytool", {...}), ...)

The suite checks what okrsync relies on (``docs/connectors.md`` explains each): a full
pull, an incremental pull that is a subset of it, history that rebuilds the expected
state at several instants, exactly one final ``PullDone``, history only of the fields
the type declares, pushes read back as written, a repeated write that changes nothing,
a created item found again by a connector that forgot it, and HTTP failures mapped to
the right error classes with words a user can act on.

``connector_type(name, "package:Class")`` registers a type for the length of a ``with``
block, as its package's entry point would once installed, so that tests can run a
config naming it from the source folder.
"""

from okrsync.testing._case import ConformanceCase, Expected, Fault
from okrsync.testing._registry import connector_type
from okrsync.testing._suite import ConnectorConformance

__all__ = ["ConformanceCase", "ConnectorConformance", "Expected", "Fault", "connector_type"]
