"""Evaluation partitioned by effective peer, run on a Dask cluster (docs/scale.md).

``partition`` splits received routes by effective peer, ``task`` is what a worker runs
for one partition (with ``worker_cache`` keeping the snapshot index per worker process),
``driver`` submits the partitions and checks that every route is accounted for, and
``connect`` opens a client to a scheduler or a local cluster. Only ``driver`` and
``connect`` import Dask; nothing here is imported unless ``--cluster`` (or
``[cluster] scheduler``) asks for it.
"""
