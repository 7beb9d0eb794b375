"""Run the model's graph in plain Python instead of through dask.

Rasa 3.6 runs the model's graph for every message and for every action
prediction (about four times per message) with dask's synchronous
scheduler: each run rebuilds the minimal graph for its targets and lets
dask order and run it. The graph is small and fixed once loaded, so this
runner works out the order of the nodes once per set of targets and then
calls them one after the other with the same inputs and outputs (each node
gives `(name, value)`, as under dask). Measured: about 2 ms less CPU per
message (docs/performance.md). The `graph_runner` piece of rasa_ext;
tests/test_rasa_ext_graph_runner.py checks that both runners give the same
answers.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

import rasa.core.processor
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

Order = List[Tuple[Text, Tuple[Text, ...]]]


class SequentialGraphRunner(DaskGraphRunner):
    """DaskGraphRunner without dask: nodes in a cached topological order."""

    def _order(self, targets: Tuple[Text, ...]) -> Order:
        """(node, the nodes or inputs it needs), dependencies first."""
        orders: Dict[Tuple[Text, ...], Order] = self.__dict__.setdefault("_orders", {})
        if targets not in orders:
            nodes = self._graph_schema.minimal_graph_schema(list(targets)).nodes
            order: Order = []
            seen: set = set()

            def visit(name: Text) -> None:
                if name in seen or name not in nodes:
                    return  # done, or an input placeholder
                seen.add(name)
                needs = tuple(nodes[name].needs.values())
                for need in needs:
                    visit(need)
                order.append((name, needs))

            for target in targets:
                visit(target)
            orders[targets] = order
        return orders[targets]

    def run(self, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
        """The targets' outputs, as DaskGraphRunner.run gives them."""
        run_targets = tuple(targets if targets else self._graph_schema.target_names)
        order = self._order(run_targets)
        # The graph's nodes, then the inputs with Rasa's own clash check.
        results: Dict[Text, Any] = dict.fromkeys(name for name, _ in order)
        self._add_inputs_to_graph(inputs, results)
        try:
            for name, needs in order:
                results[name] = self._instantiated_nodes[name](*[results[n] for n in needs])
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(results[target] for target in run_targets)


STOCK = DaskGraphRunner


def switch(on: bool) -> None:
    """Make Rasa's processor load models with this runner, or with Rasa's
    own again (idempotent; models loaded before keep their runner)."""
    rasa.core.processor.DaskGraphRunner = SequentialGraphRunner if on else STOCK
