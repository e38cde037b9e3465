import sys, json, time, io, contextlib
sys.path.insert(0, "/tmp/pyorig/src")
from policywerk.actors.dqn import dqn
from policywerk.world.breakout import Breakout
from policywerk.building_blocks.network import network_forward
for seed in [int(s) for s in sys.argv[1:]]:
    t = time.time()
    with contextlib.redirect_stdout(io.StringIO()):
        net, h = dqn(Breakout(max_steps=200), num_episodes=300, gamma=0.95, epsilon_start=1.0, epsilon_end=0.1,
                     epsilon_decay_episodes=200, learning_rate=0.01, batch_size=16, replay_capacity=3000,
                     min_replay_size=100, target_update_freq=20, train_every=2, hidden_size=32, seed=seed)
    parts = [sum(x["total_reward"] for x in h[i*50:(i+1)*50])/50 for i in range(6)]
    env = Breakout(max_steps=200); s = env.reset(); tot=0; steps=0; bricks=0
    for _ in range(200):
        q,_ = network_forward(net, s.features); a = q.index(max(q)); s, r, d = env.step(a); tot+=r; steps+=1; bricks += r == 1.0
        if d: break
    json.dump([x["total_reward"] for x in h], open(f"/tmp/dqncheck/py_seed{seed}.json","w"))
    print(f"python dqn seed {seed}: {time.time()-t:.1f}s avg/50 " + " ".join(f"{p:.2f}" for p in parts) + f" late(250-299)={parts[5]:.4f} greedy r={tot:.2f} steps={steps} bricks={bricks}", flush=True)
