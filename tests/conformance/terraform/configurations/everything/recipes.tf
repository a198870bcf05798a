# aws_imagebuilder_image_recipe, aws_imagebuilder_container_recipe (image_recipe_test.go, container_recipe_test.go)

data "aws_imagebuilder_component" "update_linux" {
  arn = "${local.aws_arn}:component/update-linux/1.0.0"
}

resource "aws_imagebuilder_image_recipe" "test" {
  name              = var.name
  description       = "an image recipe"
  parent_image      = "${local.aws_arn}:image/amazon-linux-2-x86/x.x.x"
  version           = "1.0.0"
  working_directory = "/tmp"
  user_data_base64  = base64encode("#!/bin/bash\necho hello\n")

  component {
    component_arn = data.aws_imagebuilder_component.update_linux.arn
  }
  component {
    component_arn = aws_imagebuilder_component.test.arn
  }

  block_device_mapping {
    device_name = "/dev/xvdb"
    ebs {
      delete_on_termination = true
      volume_size           = 20
      volume_type           = "gp3"
      throughput            = 200
      iops                  = 3000
    }
  }

  systems_manager_agent {
    uninstall_after_build = true
  }

  tags = local.tags
}

resource "aws_imagebuilder_container_recipe" "test" {
  name           = var.name
  description    = "a container recipe"
  container_type = "DOCKER"
  parent_image   = "amazonlinux:latest"
  version        = "1.0.0"

  component {
    component_arn = aws_imagebuilder_component.test.arn
  }

  dockerfile_template_data = <<-EOT
    FROM {{{ imagebuilder:parentImage }}}
    {{{ imagebuilder:environments }}}
    {{{ imagebuilder:components }}}
  EOT

  target_repository {
    repository_name = aws_ecr_repository.test.name
    service         = "ECR"
  }

  instance_configuration {
    block_device_mapping {
      device_name = "/dev/xvdb"
      # no delete_on_termination here: provider 5.100.0's container recipe data source cannot
      # read it back ("expected type 'bool', got unconvertible type 'string'"), a provider bug
      ebs {
        volume_size = 20
        volume_type = "gp2"
      }
    }
  }

  tags = local.tags
}

# container_recipe_test.go's parent: an AWS-managed container image by version ARN with x wildcards
resource "aws_imagebuilder_container_recipe" "managed_parent" {
  name           = "${var.name}-managed-parent"
  container_type = "DOCKER"
  parent_image   = "${local.aws_arn}:image/amazon-linux-x86-2/x.x.x"
  version        = "1.0.0"

  component {
    component_arn = aws_imagebuilder_component.yamlencoded.arn
  }

  dockerfile_template_data = <<-EOT
    FROM {{{ imagebuilder:parentImage }}}
    {{{ imagebuilder:environments }}}
    {{{ imagebuilder:components }}}
  EOT

  target_repository {
    repository_name = aws_ecr_repository.test.name
    service         = "ECR"
  }

  tags = local.tags
}
