"""Answer keys of the exercises, one module per lesson (`lesson01.py` ... `lesson09.py`), read by `utils.check`.

Reading these files spoils the exercises: try them first.
"""
