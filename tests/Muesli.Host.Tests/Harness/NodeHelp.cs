using System.Text.RegularExpressions;

namespace Muesli.Host.Tests;

/// <summary>
/// What <c>muesli node --help</c> says, read once per test run: each option with its environment variable and
/// default. Tests that check files against the node read the node's facts from here, never from a copy.
/// </summary>
public sealed partial class NodeHelp
{
    private static readonly Lazy<Task<NodeHelp>> Read = new(ReadAsync);

    private NodeHelp(string text, IReadOnlyDictionary<string, NodeOption> options)
    {
        Text = text;
        Options = options;
    }

    public static Task<NodeHelp> Current => Read.Value;

    public string Text { get; }

    /// <summary>By flag, e.g. <c>--ingest-port</c>.</summary>
    public IReadOnlyDictionary<string, NodeOption> Options { get; }

    public IEnumerable<string> EnvironmentVariables => Options.Values.Select(o => o.Environment).OfType<string>();

    /// <summary>The default of an integer option such as <c>--port</c>.</summary>
    public int DefaultPort(string flag)
        => Options.TryGetValue(flag, out var option) && int.TryParse(option.Default, out var port) ? port
            : throw new InvalidOperationException($"muesli node --help gives no integer default for {flag}");

    /// <summary>The health paths the management endpoint serves, as <c>--management-port</c>'s help names them.</summary>
    public IReadOnlyList<string> HealthPaths
        => HealthPath().Matches(Options["--management-port"].Description).Select(m => m.Value).ToArray() is { Length: > 0 } paths ? paths
            : throw new InvalidOperationException("--management-port's help names no /health/ path");

    /// <summary>The label (<c>key=value</c>) and the port name Kubernetes discovery looks for, from <c>--discovery</c>'s help.</summary>
    public (string Label, string PortName) Discovery
    {
        get
        {
            var match = DiscoveryFacts().Match(Options["--discovery"].Description);
            return match.Success ? (match.Groups["label"].Value, match.Groups["port"].Value)
                : throw new InvalidOperationException("--discovery's help names no pod label and port name");
        }
    }

    private static async Task<NodeHelp> ReadAsync()
    {
        await using var help = BackendProcess.Start(["--help"], command: "node");
        await help.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var text = string.Join('\n', help.Lines);
        var options = new Dictionary<string, NodeOption>();
        foreach (var line in help.Lines)
        {
            var option = OptionLine().Match(line);
            if (!option.Success)
            {
                continue;
            }

            var description = option.Groups["description"].Value;
            var variable = Variable().Match(description);
            var fallback = Default().Match(description);
            foreach (var flag in option.Groups["flags"].Value.Split(", "))
            {
                options[flag] = new NodeOption(
                    flag,
                    variable.Success ? variable.Groups[1].Value : null,
                    fallback.Success && IsValue(fallback.Groups[1].Value) ? fallback.Groups[1].Value : null,
                    option.Groups["argument"].Success,
                    description);
            }
        }

        return new NodeHelp(text, options);
    }

    /// <summary>
    /// A default that is a value (<c>4053</c>, <c>ingest,stream,inference</c>), not words saying what happens without
    /// the option (<c>this node</c>, <c>$MUESLI_MODELS</c>): help shows both as <c>[default: …]</c>.
    /// </summary>
    private static bool IsValue(string text) => !text.Contains(' ', StringComparison.Ordinal) && !text.StartsWith('$');

    [GeneratedRegex(@"^\s+(?<flags>-{1,2}[a-z?][a-z0-9-]*(?:, -{1,2}[a-z?][a-z0-9-]*)*)(?<argument> <[^>]+>)?\s{2,}(?<description>.*)$")]
    private static partial Regex OptionLine();

    [GeneratedRegex(@"\[env: (MUESLI_[A-Z0-9_]+)\]")]
    private static partial Regex Variable();

    [GeneratedRegex(@"\[default: ([^\]]*)\]")]
    private static partial Regex Default();

    [GeneratedRegex(@"/health/[a-z]+")]
    private static partial Regex HealthPath();

    [GeneratedRegex(@"labelled (?<label>[a-z0-9./-]+=[a-z0-9.-]+), container port named (?<port>[a-z0-9-]+)")]
    private static partial Regex DiscoveryFacts();
}

/// <summary>One option of <c>muesli node</c>: its flag, its environment variable, its default, whether it takes a value.</summary>
public sealed record NodeOption(string Flag, string? Environment, string? Default, bool TakesValue, string Description);
