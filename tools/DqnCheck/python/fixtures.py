import sys, json, random
sys.path.insert(0, "/tmp/pyorig/src")
from policywerk.world.breakout import Breakout
from policywerk.primitives import scalar, vector, matrix
from policywerk.primitives.activations import relu, identity
from policywerk.primitives.losses import huber, huber_derivative
from policywerk.primitives.random import create_rng
from policywerk.building_blocks.network import create_network, network_forward
from policywerk.building_blocks.grad import backward, LayerGradients
from policywerk.building_blocks.optimizers import create_adam_state, adam_update
from policywerk.actors.dqn import _copy_network

# 1. Breakout trajectories under a noisy ball-tracking policy
rng = random.Random(123)
eps_out = []
trans = []
for e in range(400):
    ms = 40 if e % 7 == 0 else 200
    env = Breakout(max_steps=ms)
    s = env.reset()
    noise = [0.0, 0.1, 0.3, 0.6, 1.0][e % 5]
    actions, steps = [], []
    done = False
    while not done:
        if rng.random() < noise:
            a = rng.randint(0, 2)
        else:
            c = env._ball_c + env._ball_dc
            p = env._paddle_col + 1
            a = 0 if c < p else (2 if c > p else 1)
        ns, r, done = env.step(a)
        actions.append(a)
        steps.append({"f": ns.features, "r": r, "d": done, "score": env.score()})
        trans.append((s.features, a, r, ns.features, done))
        s = ns
    eps_out.append({"max_steps": ms, "start": env.reset().features, "actions": actions, "steps": steps})
json.dump(eps_out, open("/tmp/dqncheck/breakout_fixture.json", "w"))
print("episodes", len(eps_out), "steps", sum(len(e["actions"]) for e in eps_out),
      "max len", max(len(e["actions"]) for e in eps_out),
      "clears", sum(1 for e in eps_out if e["steps"][-1]["score"] == 12),
      "caps", sum(1 for e in eps_out if len(e["actions"]) == e["max_steps"]))

# 2. A sequence of DQN updates, literally as in dqn.py
r2 = create_rng(7)
online_net = create_network(r2, [82, 32, 3], [relu, identity])
target_net = _copy_network(online_net)
adam_states = create_adam_state(online_net)
def dump(net):
    return [{"W": [list(r) for r in l.weights], "b": list(l.biases)} for l in net.layers]
init = dump(online_net)
gamma, learning_rate, batch_size = 0.95, 0.01, 16
batches = []
after = []
for u in range(200):
    idx = [r2.randint(0, len(trans) - 1) for _ in range(batch_size)]
    batches.append(idx)
    batch = [trans[i] for i in idx]
    acc_grads = []
    for layer in online_net.layers:
        rows = len(layer.weights); cols = len(layer.weights[0])
        acc_grads.append(LayerGradients(weight_grads=matrix.zeros(rows, cols), bias_grads=vector.zeros(len(layer.biases))))
    batch_loss = 0.0
    for (sf, a, r, nf, d) in batch:
        if d:
            target_q = r
        else:
            tq, _ = network_forward(target_net, nf)
            target_q = scalar.add(r, scalar.multiply(gamma, max(tq)))
        oq, cache = network_forward(online_net, sf)
        targets = list(oq); targets[a] = target_q
        loss_grad = huber_derivative(oq, targets)
        gradients = backward(online_net, cache, loss_grad)
        for i, grads in enumerate(gradients):
            acc_grads[i].weight_grads = matrix.add(acc_grads[i].weight_grads, grads.weight_grads)
            acc_grads[i].bias_grads = vector.add(acc_grads[i].bias_grads, grads.bias_grads)
        batch_loss += huber(oq, targets)
    inv_bs = scalar.inverse(float(batch_size))
    for ag in acc_grads:
        ag.weight_grads = matrix.scale(inv_bs, ag.weight_grads)
        ag.bias_grads = vector.scale(inv_bs, ag.bias_grads)
    adam_update(online_net, acc_grads, adam_states, learning_rate)
    if (u + 1) % 25 == 0:
        target_net = _copy_network(online_net)
    if u in (0, 9, 49, 199):
        after.append({"u": u, "net": dump(online_net), "loss": batch_loss / batch_size})
json.dump({"transitions": trans, "init": init, "batches": batches, "after": after}, open("/tmp/dqncheck/update_fixture.json", "w"))
print("transitions", len(trans), "done frac", sum(t[4] for t in trans) / len(trans))
