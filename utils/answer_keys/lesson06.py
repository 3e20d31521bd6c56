"""Answer keys of lesson 06 (train, dev and test). Reading them spoils the exercises."""

from utils.exercises import Key, fail
from utils.model import MLP
from utils.training import History, evaluate


def _seen_in_train(train_words, eval_words):
    train_set = set(train_words)
    return sum(word in train_set for word in eval_words)


STEP_BUDGET = 3000
DEV_TARGET = 2.27
DEV_BELOW_TRAIN = 0.01  # a dev loss this far below the train loss means the model was trained on dev


def _verify_budget_run(answer, Xtr, Ytr, Xdev, Ydev):
    """Answer: (model, history) from `train` on Xtr, Ytr; a block-3 MLP, at most 3,000 steps, dev loss below 2.27."""
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        fail("expected the pair (model, history): the trained MLP and the History that train returned")
    model, history = answer
    if not isinstance(model, MLP):
        fail(f"the first item is not an MLP from utils (got {type(model).__name__}): the lecture's model family")
    if not isinstance(history, History):
        fail(f"the second item is not the History that train returns (got {type(history).__name__})")
    config = model.config
    if config.block_size != 3:
        fail(f"the model reads {config.block_size} characters of context; the lecture's family reads 3")
    if config.direct:
        fail("the model has the direct connection (direct=True), which is not in the lecture's family")
    steps = len(history.steps)
    if steps == 0:
        fail("the history records no training step")
    if steps > STEP_BUDGET:
        fail(f"the history records {steps:,} steps; the budget is {STEP_BUDGET:,}")
    dev_loss, train_loss = evaluate(model, Xdev, Ydev), evaluate(model, Xtr, Ytr)
    # A model fits the names it trained on at least as well as new ones: dev far below train means it saw dev.
    if dev_loss < train_loss - DEV_BELOW_TRAIN:
        fail(f"its dev loss ({dev_loss:.4f}) is {train_loss - dev_loss:.4f} below its train loss ({train_loss:.4f}), "
             f"so it was trained on dev. Dev is for choosing, never for training: train on Xtr, Ytr")
    if not dev_loss < DEV_TARGET:
        fail(f"its dev loss is {dev_loss:.4f}, not below {DEV_TARGET}")


KEYS = {
    "06.1": Key(("dev", "A"), accept=(("validation", "A"), ("development", "A")),
                hint="One split is for the optimiser, one is kept for a single final report; choices are made on "
                     "the third. Then compare the two models on that split alone, whatever the others say."),
    "06.2": Key(_seen_in_train,
                cases=[(["emma", "ava"], ["ava", "ava", "bo"]), (["ava", "ava", "mia"], ["ava"]),
                       (["ann", "bo"], ["anna", "an", "b"]), (["emma"], []), ([], ["emma"]),
                       (["emma", "olivia", "ava", "isabella", "sophia"], ["mia", "ava", "emma", "noah", "emma"])],
                hint="Count entries of eval_words, each time a name repeats; a name is seen when it equals a whole "
                     "name of train_words (not a part of one). A set of the training names makes it fast."),
    "06.3": Key(verify=_verify_budget_run, needs=("Xtr", "Ytr", "Xdev", "Ydev"),
                hint="In a short run the learning rate matters most: a larger rate that decays over the whole "
                     "run, or less noisy batches that let a larger rate work."),
}
