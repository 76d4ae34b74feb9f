"""Executes a notebook like `jupyter nbconvert --execute`, keeping outputs that arrive late.

Deno's kernel (2.9) sometimes publishes a cell's `status: idle` before the cell's outputs
(execute_result, display_data) on the IOPub channel. nbclient takes idle as the end of the cell
and ignores later messages for it, so those outputs were lost: an empty cell in the executed
notebook. Here a message for an earlier cell is attached to that cell whenever it arrives, and a
last, invisible cell gives the final cell's late outputs time to arrive.

usage: python3 tools/execute_notebook.py <in.ipynb> <out.ipynb> [timeout-seconds]
"""
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete
from nbclient.util import ensure_async

SETTLE = "await new Promise((resolve) => setTimeout(resolve, 1000));"


class LateOutputClient(NotebookClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cells_by_msg = {}

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        self.cells_by_msg[parent_msg_id] = (cell, cell_index)
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            parent = msg["parent_header"].get("msg_id")
            if parent == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    return
            elif parent in self.cells_by_msg and msg["msg_type"] != "status":
                late_cell, late_index = self.cells_by_msg[parent]
                try:
                    self.process_message(msg, late_cell, late_index)
                except CellExecutionComplete:
                    pass


def main():
    source, target = sys.argv[1], sys.argv[2]
    timeout = int(sys.argv[3]) if len(sys.argv) > 3 else 900
    nb = nbformat.read(source, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(SETTLE))
    client = LateOutputClient(
        nb,
        timeout=timeout,
        kernel_name="deno",
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(source))}},
    )
    client.execute()
    nb.cells.pop()
    os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    nbformat.write(nb, target)


if __name__ == "__main__":
    main()
