# aws_imagebuilder_component, aws_imagebuilder_workflow (component_test.go, workflow_test.go)

resource "aws_imagebuilder_component" "test" {
  name                  = var.name
  description           = "a component"
  change_description    = "first version"
  platform              = "Linux"
  version               = "1.0.0"
  supported_os_versions = ["Amazon Linux 2"]
  data = yamlencode({
    schemaVersion = "1.0"
    phases = [{
      name = "build"
      steps = [{
        action    = "ExecuteBash"
        inputs    = { commands = ["echo 'hello world'"] }
        name      = "example"
        onFailure = "Continue"
      }]
    }]
  })
  tags = local.tags
}

# component_test.go's documents: yamlencode of a number renders `schemaVersion: 1`
resource "aws_imagebuilder_component" "yamlencoded" {
  name     = "${var.name}-yamlencode"
  platform = "Linux"
  version  = "1.0.0"
  data = yamlencode({
    phases = [{
      name = "build"
      steps = [{
        action    = "ExecuteBash"
        inputs    = { commands = ["echo 'hello world'"] }
        name      = "example"
        onFailure = "Continue"
      }]
    }]
    schemaVersion = 1.0
  })
  tags = local.tags
}

resource "aws_imagebuilder_component" "windows" {
  name       = "${var.name}-windows"
  platform   = "Windows"
  version    = "1.0.0"
  kms_key_id = aws_kms_key.test.arn
  data       = <<-EOT
    schemaVersion: 1.0
    phases:
      - name: build
        steps:
          - name: example
            action: ExecutePowerShell
            inputs:
              commands: ["echo 'hello world'"]
  EOT
}

resource "aws_imagebuilder_workflow" "test" {
  name               = "${var.name}-test"
  version            = "1.0.0"
  type               = "TEST"
  description        = "launches and terminates a test instance"
  change_description = "first version"
  data               = <<-EOT
    name: test-image
    description: Workflow to test an image
    schemaVersion: 1.0

    steps:
      - name: LaunchTestInstance
        action: LaunchInstance
        onFailure: Abort
        inputs:
          waitFor: "ssmAgent"

      - name: TerminateTestInstance
        action: TerminateInstance
        onFailure: Continue
        inputs:
          instanceId.$: "$.stepOutputs.LaunchTestInstance.instanceId"
  EOT
  tags               = local.tags
}

resource "aws_imagebuilder_workflow" "build" {
  name       = "${var.name}-build"
  version    = "1.0.0"
  type       = "BUILD"
  kms_key_id = aws_kms_key.test.arn
  data       = <<-EOT
    name: build-image
    schemaVersion: 1.0
    steps:
      - name: BuildStep
        action: LaunchInstance
        onFailure: Abort
        inputs:
          waitFor: "ssmAgent"
      - name: ApplyBuildComponents
        action: ExecuteComponents
        onFailure: Abort
        inputs:
          instanceId.$: "$.stepOutputs.BuildStep.instanceId"
      - name: CreateOutputAMI
        action: CreateImage
        onFailure: Abort
        inputs:
          instanceId.$: "$.stepOutputs.BuildStep.instanceId"
      - name: TerminateBuildInstance
        action: TerminateInstance
        onFailure: Continue
        inputs:
          instanceId.$: "$.stepOutputs.BuildStep.instanceId"
  EOT
}
