using System.Text.RegularExpressions;
using System.Xml.Linq;
using Akka.Configuration;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Muesli.Host.Tests;

/// <summary>
/// The files an operator deploys with (cluster-config/, docker/, k8s/) agree with the node they run: every flag,
/// environment variable, role, port and health path they name is the one <c>muesli node --help</c> gives, so a
/// change in one place alone fails here. Nothing here starts a node; the node's facts come from its help.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    private const string SplitBrainResolver = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster";

    /// <summary>Which option each named container port carries (the files' own naming).</summary>
    private static readonly Dictionary<string, string> PortOptions = new()
    {
        ["remoting"] = "--port",
        ["ingest"] = "--ingest-port",
        ["management"] = "--management-port",
        ["metrics"] = "--http-port",
    };

    private static string Root => BackendProcess.RepositoryRoot;

    private static string ClusterConfig => Path.Combine(Root, "cluster-config");

    /// <summary>The cluster node files: every .conf but the single node's.</summary>
    private static IEnumerable<string> ClusterNodeFiles
        => Directory.GetFiles(ClusterConfig, "*.conf").Where(f => Path.GetFileName(f) != "single-node.conf").Order();

    [Fact]
    public async Task Every_cluster_config_file_parses_and_cluster_files_configure_keep_majority_downing_and_tolerant_failure_detection()
    {
        var help = await NodeHelp.Current;
        Assert.NotEmpty(ClusterNodeFiles);
        foreach (var file in Directory.GetFiles(ClusterConfig, "*.conf"))
        {
            Assert.False(Hocon(file).IsEmpty, $"{file} is empty");
        }

        var maxFrameBytes = long.Parse(help.Options["--max-frame-bytes"].Default!, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var file in ClusterNodeFiles)
        {
            var config = Hocon(file);
            var name = Path.GetFileName(file);
            Assert.Equal(SplitBrainResolver, config.GetString("akka.cluster.downing-provider-class"));
            Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
            var stableAfter = config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after");
            var pause = config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause");
            var heartbeat = config.GetTimeSpan("akka.cluster.failure-detector.heartbeat-interval");
            Assert.True(config.GetDouble("akka.cluster.failure-detector.threshold") >= 8, $"{name}: a threshold below Akka's 8 downs busy nodes");
            // A long GC or a model load must not get a node downed; a dead node must be replaced within about 30 s.
            Assert.True(pause >= TimeSpan.FromSeconds(5), $"{name}: acceptable-heartbeat-pause {pause} does not cover a long GC pause");
            Assert.True(pause + heartbeat + stableAfter <= TimeSpan.FromSeconds(30), $"{name}: a dead node is downed only after {pause + heartbeat + stableAfter}");
            var frame = config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size");
            Assert.True(frame >= 256 * 1024, $"{name}: maximum-frame-size {frame} is below 256 KiB");
            Assert.True(frame > maxFrameBytes, $"{name}: maximum-frame-size {frame} does not carry a client frame of --max-frame-bytes {maxFrameBytes}");
            if (RolesNamedBy(file).Contains("stream"))
            {
                var handoff = config.GetTimeSpan("akka.cluster.sharding.handoff-timeout");
                Assert.True(handoff > TimeSpan.Zero && handoff < TimeSpan.FromSeconds(15), $"{name}: handoff-timeout {handoff} does not fit in the node's 15 s stop");
            }
        }
    }

    [Fact]
    public async Task Cluster_config_files_name_only_the_nodes_roles()
    {
        var roles = await NodeRolesAsync();
        foreach (var file in ClusterNodeFiles)
        {
            var named = RolesNamedBy(file);
            Assert.All(named, r => Assert.Contains(r, roles));
            // The command line the file's header shows loads it with the roles it is named for.
            var shown = ConfigRolesLine().Match(File.ReadAllText(file));
            Assert.True(shown.Success, $"{file}: the header shows no `--roles … --config` command line");
            Assert.Equal(named, shown.Groups[1].Value.Split(','));
            Assert.Equal(Path.GetFileName(file), Path.GetFileName(shown.Groups[2].Value));
            if (Hocon(file).GetConfig("akka.cluster.role") is { IsEmpty: false } perRole)
            {
                Assert.All(perRole.Root.GetObject().Items.Keys, r => Assert.Contains(r, roles));
            }
        }
    }

    [Fact]
    public void Cluster_wide_settings_are_the_same_in_every_cluster_node_file()
    {
        string[] shared =
        [
            "akka.remote.dot-netty.tcp.maximum-frame-size",
            "akka.cluster.downing-provider-class",
            "akka.cluster.split-brain-resolver",
            "akka.cluster.failure-detector",
            "akka.cluster.role",
            "akka.management.cluster.bootstrap",
        ];
        var files = ClusterNodeFiles.ToArray();
        foreach (var path in shared)
        {
            var values = files.Select(f => (File: Path.GetFileName(f), Value: Hocon(f, fallback: false).GetValue(path)?.ToString() ?? "(unset)")).ToArray();
            Assert.True(values.All(v => v.Value == values[0].Value), $"{path} differs: {string.Join("; ", values.Select(v => $"{v.File}: {v.Value}"))}");
        }
    }

    [Fact]
    public void Kubernetes_config_map_files_are_the_cluster_config_files()
    {
        var copies = Path.Combine(Root, "k8s", "base", "cluster-config");
        var generated = Yaml(Path.Combine(Root, "k8s", "base", "kustomization.yaml")).Single().At("configMapGenerator").Seq()
            .SelectMany(g => g.At("files").Seq()).Select(f => f.Text()).ToArray();
        Assert.NotEmpty(generated);
        foreach (var file in generated)
        {
            var source = Path.Combine(ClusterConfig, Path.GetFileName(file));
            Assert.True(File.Exists(source), $"k8s/base/{file} has no original in cluster-config/");
            Assert.True(File.ReadAllText(source) == File.ReadAllText(Path.Combine(Root, "k8s", "base", file)), $"k8s/base/{file} differs from cluster-config/{Path.GetFileName(file)}: copy it again");
        }

        Assert.Equal(Directory.GetFiles(copies).Select(Path.GetFileName).Order(), generated.Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Images_run_the_published_executable_and_expose_the_node_ports()
    {
        var help = await NodeHelp.Current;
        var executable = XDocument.Load(Path.Combine(Root, "src", "Muesli.Host", "Muesli.Host.csproj")).Descendants("AssemblyName").Single().Value;
        var ports = PortOptions.Values.Select(help.DefaultPort).Order().ToArray();
        var dockerfiles = Directory.GetFiles(Path.Combine(Root, "docker"), "Dockerfile*");
        Assert.NotEmpty(dockerfiles);
        foreach (var file in dockerfiles)
        {
            var text = File.ReadAllText(file);
            var entrypoint = Entrypoint().Match(text);
            Assert.True(entrypoint.Success, $"{file}: no exec-form ENTRYPOINT");
            Assert.Equal(executable, Path.GetFileName(entrypoint.Groups[1].Value));
            Assert.Contains("dotnet publish src/Muesli.Host/Muesli.Host.csproj", text);
            var exposed = Expose().Matches(text).SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(int.Parse).Order().ToArray();
            Assert.Equal(ports, exposed);
            foreach (var variable in ImageEnvironment(file).Keys)
            {
                Assert.Contains(variable, help.EnvironmentVariables);
            }
        }
    }

    [Fact]
    public async Task Compose_nodes_agree_with_the_node_command_line()
    {
        var help = await NodeHelp.Current;
        var roles = await NodeRolesAsync();
        var composeFiles = Directory.GetFiles(Path.Combine(Root, "docker"), "docker-compose*.yml").Order().ToArray();
        var main = Path.Combine(Root, "docker", "docker-compose.yml");
        Assert.Contains(main, composeFiles);
        var services = Services(main);
        foreach (var file in composeFiles)
        {
            foreach (var (name, service) in Services(file))
            {
                Assert.True(services.ContainsKey(name), $"{Path.GetFileName(file)}: service {name} is not in docker-compose.yml");
                CheckEnvironmentNames(help, Environment(service).Keys, $"{Path.GetFileName(file)} {name}");
                if (service.Get("build") is { } build)
                {
                    Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(file)!, build.At("context").Text(), build.At("dockerfile").Text())), $"{name}: no {build.At("dockerfile").Text()}");
                }
            }
        }

        var nodes = services.Where(s => s.Value.Get("command") is { } c && c.Seq().First().Text() == "node").ToDictionary(s => s.Key, s => s.Value);
        Assert.Equal(3, nodes.Count);
        var dockerfile = Path.Combine(Root, "docker", "Dockerfile.cpu");
        var streamVolumes = new List<string>();
        foreach (var (name, service) in nodes)
        {
            var args = service.At("command").Seq().Select(a => a.Text()).Skip(1).ToArray();
            var node = new NodeLine(help, args, Environment(service), ImageEnvironment(Path.Combine(Path.GetDirectoryName(main)!, service.At("build").At("context").Text(), service.At("build").At("dockerfile").Text())));
            var label = $"compose service {name}";
            node.CheckFlags(label);
            var nodeRoles = node.Roles(label, roles);
            var mounts = service.At("volumes").Seq().Select(v => ComposeVolume.Parse(v.Text())).ToArray();

            // --config names a file of cluster-config/, mounted from there, for the roles the node has.
            var config = node.Value("--config") ?? throw new Xunit.Sdk.XunitException($"{label}: no --config");
            var mount = mounts.Single(m => config.StartsWith(m.Target + "/", StringComparison.Ordinal));
            var source = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(main)!, mount.Source, config[(mount.Target.Length + 1)..]));
            Assert.True(File.Exists(source), $"{label}: --config {config} is {source}, which does not exist");
            Assert.Equal(ClusterConfig, Path.GetDirectoryName(source));
            Assert.Equal(RolesNamedBy(source), nodeRoles);

            // Its remoting address is its own name; the seed nodes are services at their remoting ports.
            Assert.Equal(service.Get("hostname")?.Text() ?? name, node.Value("--hostname"));
            foreach (var seed in (node.Value("--seed-nodes") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var (host, port) = (seed[..seed.LastIndexOf(':')], int.Parse(seed[(seed.LastIndexOf(':') + 1)..]));
                Assert.True(nodes.TryGetValue(host, out var seedService), $"{label}: seed {seed} is not a node of the compose file");
                var seedNode = new NodeLine(help, seedService.At("command").Seq().Select(a => a.Text()).Skip(1).ToArray(), Environment(seedService), ImageEnvironment(dockerfile));
                Assert.Equal(seedNode.Port("--port"), port);
            }

            // The health check asks this node's management endpoint for one of its health paths.
            var check = service.At("healthcheck").At("test").Seq().Select(t => t.Text()).ToArray();
            var url = new Uri(check.Single(t => t.StartsWith("http://", StringComparison.Ordinal)));
            Assert.Equal(node.Value("--hostname"), url.Host);
            Assert.Equal(node.Port("--management-port"), url.Port);
            Assert.Contains(url.AbsolutePath, help.HealthPaths);

            foreach (var published in service.Get("ports")?.Seq() ?? [])
            {
                Assert.True(nodeRoles.Contains("ingest"), $"{label} publishes {published.Text()} but takes no meetings");
                Assert.Equal(node.Port("--ingest-port"), int.Parse(published.Text().Split(':')[^1]));
            }

            if (nodeRoles.Contains("stream"))
            {
                var data = mounts.Single(m => m.Target == node.Value("--data-dir"));
                Assert.False(data.ReadOnly, $"{label}: the data dir is read-only");
                streamVolumes.Add($"{data.Source}:{data.Target}");
            }

            if (nodeRoles.Contains("inference"))
            {
                Assert.Contains(mounts, m => m.Target == node.Value("--models") && m.ReadOnly);
            }
        }

        // One volume, at one path, on every stream node.
        Assert.True(streamVolumes.Count >= 2, "fewer than two stream nodes");
        Assert.Single(streamVolumes.Distinct());
        Assert.True(Yaml(main).Single().At("volumes").Pairs().Any(v => v.Key == streamVolumes[0].Split(':')[0]), "the stream nodes' data dir is not a named volume");
    }

    [Fact]
    public async Task Kubernetes_pods_agree_with_the_node_command_line()
    {
        var help = await NodeHelp.Current;
        var roles = await NodeRolesAsync();
        var (podLabel, portName) = help.Discovery;
        var documents = Directory.GetFiles(Path.Combine(Root, "k8s"), "*.yaml", SearchOption.AllDirectories).Order()
            .SelectMany(f => Yaml(f).Select(d => (File: Path.GetRelativePath(Root, f), Doc: d)))
            .ToArray();
        var byKind = documents.Where(d => d.Doc.Get("kind") is not null).ToLookup(d => d.Doc.At("kind").Text());
        var claims = byKind["PersistentVolumeClaim"].ToDictionary(d => d.Doc.At("metadata").At("name").Text(), d => d.Doc);
        var generatedConfigMaps = documents.Where(d => d.Doc.Get("configMapGenerator") is not null)
            .SelectMany(d => d.Doc.At("configMapGenerator").Seq()).ToDictionary(g => g.At("name").Text(), g => g.At("files").Seq().Select(f => Path.GetFileName(f.Text())).ToArray());
        var workloads = byKind["Deployment"].Concat(byKind["StatefulSet"]).ToArray();
        Assert.NotEmpty(workloads);
        var podPorts = new List<(IReadOnlyDictionary<string, string> Labels, string Name, int Port)>();
        var streamClaims = new HashSet<string>();
        foreach (var (file, workload) in workloads)
        {
            var label = $"{file} {workload.At("metadata").At("name").Text()}";
            var pod = workload.At("spec").At("template");
            var labels = pod.At("metadata").At("labels").Pairs().ToDictionary(l => l.Key, l => l.Value.Text());
            var container = Assert.Single(pod.At("spec").At("containers").Seq());
            var env = container.At("env").Seq().ToDictionary(e => e.At("name").Text(), e => e);
            CheckEnvironmentNames(help, env.Keys, label);
            var node = new NodeLine(
                help,
                container.At("args").Seq().Select(a => a.Text()).Skip(1).ToArray(),
                env.Where(e => e.Value.Get("value") is not null).ToDictionary(e => e.Key, e => e.Value.At("value").Text()),
                ImageEnvironment(Path.Combine(Root, "docker", "Dockerfile.cpu")));
            Assert.Equal("node", container.At("args").Seq().First().Text());
            node.CheckFlags(label);
            var nodeRoles = node.Roles(label, roles);

            // Found by Cluster.Bootstrap: the label and the port name it looks for, its own address, no seed nodes.
            Assert.Equal("kubernetes", node.Value("--discovery"));
            Assert.Null(node.Value("--seed-nodes"));
            Assert.Equal(podLabel.Split('=')[1], labels.GetValueOrDefault(podLabel.Split('=')[0]));
            Assert.Equal("status.podIP", env["MUESLI_HOSTNAME"].At("valueFrom").At("fieldRef").At("fieldPath").Text());
            Assert.NotNull(env["MUESLI_JOURNAL"].At("valueFrom").Get("secretKeyRef"));

            // Each named port is the port the node listens on; the management port carries the discovery's name.
            var ports = container.At("ports").Seq().ToDictionary(p => p.At("name").Text(), p => int.Parse(p.At("containerPort").Text()));
            Assert.Contains(portName, ports.Keys);
            foreach (var (name, port) in ports)
            {
                Assert.True(PortOptions.TryGetValue(name, out var option), $"{label}: port {name} is none of {string.Join(", ", PortOptions.Keys)}");
                Assert.Equal(node.Port(option), port);
                podPorts.Add((labels, name, port));
            }

            Assert.Equal(nodeRoles.Contains("ingest"), ports.ContainsKey("ingest"));
            foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" }.Where(p => container.Get(p) is not null))
            {
                var get = container[probe].At("httpGet");
                Assert.Contains(get.At("path").Text(), help.HealthPaths);
                var port = get.At("port").Text();
                Assert.Equal(node.Port("--management-port"), int.TryParse(port, out var number) ? number : ports[port]);
            }

            Assert.NotNull(container.Get("readinessProbe"));
            Assert.NotNull(container.Get("livenessProbe"));
            Assert.NotNull(container.At("lifecycle").At("preStop"));

            // --config names a file of the ConfigMap mounted at its folder, generated from cluster-config/.
            var mounts = container.At("volumeMounts").Seq().ToDictionary(m => m.At("mountPath").Text(), m => m);
            var volumes = pod.At("spec").At("volumes").Seq().ToDictionary(v => v.At("name").Text(), v => v);
            var config = node.Value("--config") ?? throw new Xunit.Sdk.XunitException($"{label}: no --config");
            var configVolume = volumes[mounts[Path.GetDirectoryName(config)!].At("name").Text()];
            Assert.Contains(Path.GetFileName(config), generatedConfigMaps[configVolume.At("configMap").At("name").Text()]);
            Assert.Equal(RolesNamedBy(Path.Combine(ClusterConfig, Path.GetFileName(config))), nodeRoles);

            var limits = container.At("resources").Get("limits")?.Pairs().Select(l => l.Key).ToArray() ?? [];
            Assert.Equal(nodeRoles.Contains("inference"), limits.Contains("nvidia.com/gpu"));
            if (nodeRoles.Contains("stream"))
            {
                var claim = volumes[mounts[node.Value("--data-dir")!].At("name").Text()].At("persistentVolumeClaim").At("claimName").Text();
                Assert.Contains("ReadWriteMany", claims[claim].At("spec").At("accessModes").Seq().Select(m => m.Text()));
                streamClaims.Add(claim);
            }

            if (nodeRoles.Contains("inference"))
            {
                Assert.Equal("true", mounts[node.Value("--models")!].At("readOnly").Text());
            }
        }

        Assert.Single(streamClaims);
        foreach (var (file, service) in byKind["Service"])
        {
            var selector = service.At("spec").At("selector").Pairs().ToDictionary(s => s.Key, s => s.Value.Text());
            var selected = podPorts.Where(p => selector.All(s => p.Labels.GetValueOrDefault(s.Key) == s.Value)).ToArray();
            Assert.True(selected.Length > 0, $"{file}: service {service.At("metadata").At("name").Text()} selects no pod");
            foreach (var port in service.At("spec").At("ports").Seq())
            {
                var target = port.At("targetPort").Text();
                Assert.All(selected.Where(p => p.Name == target || p.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) == target), p => Assert.Equal(p.Port, int.Parse(port.At("port").Text())));
                Assert.Contains(selected, p => p.Name == target);
            }

            if (service.At("spec").Get("clusterIP")?.Text() == "None")
            {
                Assert.Equal("true", service.At("spec").At("publishNotReadyAddresses").Text());
            }
        }

        var rules = Assert.Single(byKind["Role"]).Doc.At("rules").Seq();
        Assert.Contains(rules, r => r.At("resources").Seq().Any(x => x.Text() == "pods") && new[] { "get", "list", "watch" }.All(v => r.At("verbs").Seq().Any(x => x.Text() == v)));

        // Overlays may add environment variables in their patches: those are the node's too.
        foreach (var patch in documents.Where(d => d.Doc.Get("patches") is not null).SelectMany(d => d.Doc.At("patches").Seq()))
        {
            var operations = Yaml(new StringReader(patch.At("patch").Text())).Single().RootNode.Seq();
            var added = operations.Where(o => o.Get("value") is YamlMappingNode v && v.Get("name") is not null).Select(o => o.At("value").At("name").Text());
            CheckEnvironmentNames(help, added, "k8s overlay patch");
        }
    }

    private static async Task<string[]> NodeRolesAsync()
        => (await NodeHelp.Current).Options["--roles"].Default!.Split(',');

    /// <summary>The roles a cluster-config file is named for: <c>ingest-stream.conf</c> is for ingest and stream.</summary>
    private static string[] RolesNamedBy(string file) => Path.GetFileNameWithoutExtension(file).Split('-');

    private static Config Hocon(string file, bool fallback = true)
    {
        var config = ConfigurationFactory.ParseString(File.ReadAllText(file));
        return fallback ? config.WithFallback(ConfigurationFactory.Default()) : config;
    }

    private static void CheckEnvironmentNames(NodeHelp help, IEnumerable<string> names, string where)
    {
        foreach (var name in names.Where(n => n.StartsWith("MUESLI_", StringComparison.Ordinal)))
        {
            Assert.True(help.EnvironmentVariables.Contains(name), $"{where} sets {name}, which muesli node does not read");
        }
    }

    /// <summary>A compose file's services, by name, with their merge keys resolved.</summary>
    private static Dictionary<string, YamlMappingNode> Services(string file)
        => Yaml(file).Single().At("services").Pairs().ToDictionary(s => s.Key, s => s.Value.Map());

    private static Dictionary<string, string> Environment(YamlMappingNode service)
        => service.Get("environment")?.Pairs().ToDictionary(e => e.Key, e => e.Value.Text()) ?? [];

    /// <summary>The <c>ENV</c> of a Dockerfile's final stage.</summary>
    private static Dictionary<string, string> ImageEnvironment(string dockerfile)
    {
        var text = File.ReadAllText(dockerfile).Replace("\\\n", " ");
        var final = text[text.LastIndexOf("\nFROM ", StringComparison.Ordinal)..];
        return EnvLine().Matches(final).SelectMany(m => EnvPair().Matches(m.Groups[1].Value)).ToDictionary(p => p.Groups[1].Value, p => p.Groups[2].Value);
    }

    private static List<YamlMappingNode> Yaml(string file)
    {
        using var reader = new StreamReader(file);
        return Yaml(reader).Select(d => d.RootNode.Map()).ToList();
    }

    private static List<YamlDocument> Yaml(TextReader reader)
    {
        var stream = new YamlStream();
        stream.Load(reader);
        return stream.Documents.Where(d => d.RootNode is not YamlScalarNode { Value: null or "" }).ToList();
    }

    [GeneratedRegex(@"--roles ([a-z,]+) --config (\S+)")]
    private static partial Regex ConfigRolesLine();

    [GeneratedRegex(@"^ENTRYPOINT \[""([^""]+)""", RegexOptions.Multiline)]
    private static partial Regex Entrypoint();

    [GeneratedRegex(@"^EXPOSE ([0-9 ]+)$", RegexOptions.Multiline)]
    private static partial Regex Expose();

    [GeneratedRegex(@"^ENV (.+)$", RegexOptions.Multiline)]
    private static partial Regex EnvLine();

    [GeneratedRegex(@"([A-Z_][A-Z0-9_]*)=(\S+)")]
    private static partial Regex EnvPair();

    /// <summary>
    /// A node's command line as the node reads it: a flag, else its environment variable, else the image's, else the
    /// default its help gives.
    /// </summary>
    private sealed class NodeLine(NodeHelp help, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, IReadOnlyDictionary<string, string> image)
    {
        public void CheckFlags(string where)
        {
            for (var i = 0; i < args.Count; i++)
            {
                Assert.True(help.Options.TryGetValue(args[i], out var option), $"{where}: muesli node has no option {args[i]}");
                i += option.TakesValue ? 1 : 0;
            }
        }

        public string? Value(string flag)
        {
            for (var i = 0; i + 1 < args.Count; i++)
            {
                if (args[i] == flag)
                {
                    return args[i + 1];
                }
            }

            var variable = help.Options[flag].Environment!;
            return environment.TryGetValue(variable, out var value) ? value
                : image.TryGetValue(variable, out var fromImage) ? fromImage
                : help.Options[flag].Default;
        }

        public int Port(string flag)
            => int.TryParse(Value(flag), out var port) ? port : throw new Xunit.Sdk.XunitException($"{flag} is not a port: {Value(flag)}");

        public string[] Roles(string where, string[] known)
        {
            var roles = Value("--roles")!.Split(',');
            Assert.All(roles, r => Assert.True(known.Contains(r), $"{where}: role {r} is none of {string.Join(", ", known)}"));
            return roles;
        }
    }

    /// <summary>A compose volume in short syntax, <c>SOURCE:TARGET[:ro]</c>; <c>${…}</c> in the source is kept whole.</summary>
    private sealed partial record ComposeVolume(string Source, string Target, bool ReadOnly)
    {
        public static ComposeVolume Parse(string text)
        {
            var plain = Interpolation().Replace(text, m => new string('x', m.Length));
            var parts = plain.Split(':');
            var source = text[..parts[0].Length];
            return new ComposeVolume(source, parts[1], parts.Length > 2 && parts[2] == "ro");
        }

        [GeneratedRegex(@"\$\{[^}]*\}")]
        private static partial Regex Interpolation();
    }
}

/// <summary>Reading YAML's representation model: merge keys (<c>&lt;&lt;: *anchor</c>) are resolved as compose resolves them.</summary>
internal static class YamlNodes
{
    public static YamlMappingNode Map(this YamlNode node)
    {
        var map = node as YamlMappingNode ?? throw new Xunit.Sdk.XunitException($"not a mapping at {node.Start}");
        if (!map.Children.ContainsKey(new YamlScalarNode("<<")))
        {
            return map;
        }

        var merged = new YamlMappingNode();
        foreach (var (key, value) in map.Children.Where(c => c.Key.Text() != "<<"))
        {
            merged.Add(key, value);
        }

        var bases = map.Children[new YamlScalarNode("<<")] is YamlSequenceNode many ? many.Children : [map.Children[new YamlScalarNode("<<")]];
        foreach (var (key, value) in bases.SelectMany(b => b.Map().Children).Where(c => !merged.Children.ContainsKey(c.Key)))
        {
            merged.Add(key, value);
        }

        return merged;
    }

    public static IReadOnlyList<YamlNode> Seq(this YamlNode node)
        => (node as YamlSequenceNode ?? throw new Xunit.Sdk.XunitException($"not a sequence at {node.Start}")).Children.ToList();

    public static string Text(this YamlNode node)
        => (node as YamlScalarNode)?.Value ?? throw new Xunit.Sdk.XunitException($"not a scalar at {node.Start}");

    public static YamlNode? Get(this YamlNode node, string key)
        => node.Map().Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static YamlNode At(this YamlNode node, string key)
        => node.Get(key) ?? throw new Xunit.Sdk.XunitException($"no {key} at {node.Start}");

    public static IEnumerable<(string Key, YamlNode Value)> Pairs(this YamlNode node)
        => node.Map().Children.Select(c => (c.Key.Text(), c.Value));
}
