namespace Policywerk.Pure.Agents;

/// <summary>Training stopped because a loss or a parameter became NaN or ±∞: what, and when.</summary>
/// <param name="Message">One line for the user, e.g. "DQN diverged: the TD loss became NaN in episode 12".</param>
public sealed record Divergence(string Message);
